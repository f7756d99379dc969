package flows

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/flowsgo/flows/flowlib"
	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/tensors"
)

// fileMagic opens every saved model; the version changes if the layout does.
const fileMagic = "flowlib-model v1\n"

type fileHeader struct {
	Spec      Spec       `json:"spec"`
	Variables []savedVar `json:"variables"`
}

type savedVar struct {
	Name  string `json:"name"` // scope/name
	Shape []int  `json:"shape"`
}

// Save writes a model built by this package (its Spec and every flow variable, as float32) to path. The file is
// written to a temporary file in the same folder and renamed over path only when complete, so an existing file is
// never left half-written. Layout: magic line, JSON header line, little-endian float32 values, CRC-32 of all before.
func Save(m *flowlib.Model, path string) error {
	spec, ok := m.Spec.(Spec)
	if !ok {
		return errors.New("flows.Save: the model has no flows.Spec (build it with flows.NewModel or a Builder)")
	}
	if err := m.Init(); err != nil {
		return fmt.Errorf("flows.Save: %w", err)
	}
	var header fileHeader
	header.Spec = spec
	var values []float32
	for v := range m.Store.IterVariables() {
		if !m.Owns(v) {
			continue
		}
		t, err := v.Value()
		if err != nil {
			return fmt.Errorf("flows.Save: variable %s: %w", v.Path(), err)
		}
		flat, err := tensors.CopyFlatData[float32](t)
		if err != nil {
			return fmt.Errorf("flows.Save: variable %s is not float32: %w", v.Path(), err)
		}
		header.Variables = append(header.Variables, savedVar{Name: v.Path(), Shape: v.Shape().Dimensions})
		values = append(values, flat...)
	}
	var buf bytes.Buffer
	buf.WriteString(fileMagic)
	js, err := json.Marshal(header)
	if err != nil {
		return fmt.Errorf("flows.Save: %w", err)
	}
	buf.Write(js)
	buf.WriteByte('\n')
	if err := binary.Write(&buf, binary.LittleEndian, values); err != nil {
		return fmt.Errorf("flows.Save: %w", err)
	}
	_ = binary.Write(&buf, binary.LittleEndian, crc32.ChecksumIEEE(buf.Bytes()))
	return writeAtomic(path, buf.Bytes())
}

// writeAtomic writes data to a temporary file next to path, syncs it and renames it over path.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("flows.Save: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("flows.Save: writing %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("flows.Save: writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("flows.Save: writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("flows.Save: %w", err)
	}
	return nil
}

// Load reads a model written by [Save] and rebuilds it on backend. It returns an error naming path and what is
// wrong when the file is missing, truncated, corrupted or foreign, or holds variables that do not match the
// architecture it names. Sizes claimed by the header are checked against the file's length before anything is
// allocated or built, so a damaged header can neither make Load allocate gigabytes nor load a model of the wrong
// shape.
func Load(backend compute.Backend, path string) (*flowlib.Model, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("flows.Load: %w", err)
	}
	m, err := load(backend, data)
	if err != nil {
		return nil, fmt.Errorf("flows.Load: %s: %w", path, err)
	}
	return m, nil
}

// LoadFS is [Load] for a file in fsys (an embedded folder, say), with the same checks.
func LoadFS(backend compute.Backend, fsys fs.FS, name string) (*flowlib.Model, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("flows.LoadFS: %w", err)
	}
	m, err := load(backend, data)
	if err != nil {
		return nil, fmt.Errorf("flows.LoadFS: %s: %w", name, err)
	}
	return m, nil
}

// load is [Load] on the file's bytes; its errors do not repeat the path.
func load(backend compute.Backend, data []byte) (*flowlib.Model, error) {
	if len(data) < len(fileMagic)+4 || string(data[:len(fileMagic)]) != fileMagic {
		return nil, fmt.Errorf("not a flowlib model file (no %q header)", fileMagic[:len(fileMagic)-1])
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return nil, errors.New("truncated or corrupted (checksum mismatch)")
	}
	body = body[len(fileMagic):]
	end := bytes.IndexByte(body, '\n')
	if end < 0 {
		return nil, errors.New("reading header: no end of line after the JSON header")
	}
	line, raw := body[:end], body[end+1:]
	var header fileHeader
	if err := json.Unmarshal(line, &header); err != nil {
		return nil, fmt.Errorf("bad header: %w", err)
	}
	// Every size the header claims is checked against the values actually in the file, with overflow-safe
	// arithmetic, before the model is built.
	avail := len(raw) / 4
	count := 0
	for _, sv := range header.Variables {
		size, err := shapeSize(sv.Shape, avail)
		if err != nil {
			return nil, fmt.Errorf("variable %s: %w", sv.Name, err)
		}
		if count += size; count > avail {
			return nil, fmt.Errorf("the header lists more values (%d so far, at variable %s) than the file holds (%d bytes of values)",
				count, sv.Name, len(raw))
		}
	}
	if len(raw) != 4*count {
		return nil, fmt.Errorf("the header lists %d values but the file holds %d bytes of values, want %d",
			count, len(raw), 4*count)
	}
	if err := checkSpecSize(header.Spec, count); err != nil {
		return nil, err
	}
	m, err := NewModel(backend, header.Spec)
	if err != nil {
		return nil, err
	}
	if err := m.Init(); err != nil {
		return nil, fmt.Errorf("building the %s model of the saved spec: %w", header.Spec.Arch, err)
	}
	want := map[string]bool{}
	for v := range m.Store.IterVariables() {
		if m.Owns(v) {
			want[v.Path()] = true
		}
	}
	seen := map[string]bool{}
	off := 0
	for _, sv := range header.Variables {
		if seen[sv.Name] {
			return nil, fmt.Errorf("variable %s appears twice in the header", sv.Name)
		}
		seen[sv.Name] = true
		v := m.Store.GetVariable(sv.Name)
		if v == nil || !want[sv.Name] {
			return nil, fmt.Errorf("variable %s does not exist in a %s model built from the saved spec",
				sv.Name, header.Spec.Arch)
		}
		if !slices.Equal(sv.Shape, v.Shape().Dimensions) {
			return nil, fmt.Errorf("variable %s has shape %v in the file but %v in the model",
				sv.Name, sv.Shape, v.Shape().Dimensions)
		}
		size := v.Shape().Size()
		vals := make([]float32, size)
		for i := range vals {
			vals[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*(off+i):]))
			if x := float64(vals[i]); math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("variable %s holds a non-finite value (%v at index %d)", sv.Name, x, i)
			}
		}
		off += size
		if err := v.SetValue(tensors.FromFlatDataAndDimensions(vals, sv.Shape...)); err != nil {
			return nil, fmt.Errorf("variable %s: %w", sv.Name, err)
		}
		delete(want, sv.Name)
	}
	if len(want) > 0 {
		missing := slices.Sorted(maps.Keys(want))
		return nil, fmt.Errorf("the file has no value for variable %s (%d missing)", missing[0], len(missing))
	}
	return m, nil
}

// shapeSize returns the number of values of a saved shape, or an error when a dimension is not positive or the
// size exceeds limit (which also rules out overflow).
func shapeSize(shape []int, limit int) (int, error) {
	size := 1
	for _, d := range shape {
		if d < 1 {
			return 0, fmt.Errorf("shape %v has a dimension %d, want ≥ 1", shape, d)
		}
		if size > limit/d {
			return 0, fmt.Errorf("shape %v claims more values than the file holds (%d)", shape, limit)
		}
		size *= d
	}
	return size, nil
}

// checkSpecSize refuses a spec whose model would be larger than the count values the file holds, before it is built
// and its variables allocated. Its bound is a lower bound on every architecture's parameter count, per layer: the
// hidden layers' biases and weight matrices, the first layer's weights from the (at least Dim/2) conditioning
// inputs, and an output layer of at least Dim/2 units (times Bins for the spline flows) with their weights and
// biases. TestSpecSizeBound checks it against every architecture. (The other size that costs, a continuous flow's
// unrolled ODE steps, is bounded by Build: [MaxODESteps].)
func checkSpecSize(s Spec, count int) error {
	if s.Dim > count || s.Bins > count || s.Layers > count || len(s.Hidden) > count {
		return fmt.Errorf("the spec (dim %d, %d layers, %d hidden widths, %d bins) is larger than the %d values the file holds",
			s.Dim, s.Layers, len(s.Hidden), s.Bins, count)
	}
	if s.Dim < 1 || s.Layers < 1 || s.Bins < 0 {
		return nil // Build names the bad field
	}
	// Saturating arithmetic: any value above count is as good as infinite.
	limit := count + 1
	mul := func(a, b int) int {
		if a != 0 && b > limit/a {
			return limit
		}
		return min(a*b, limit)
	}
	add := func(a, b int) int { return min(a+b, limit) }
	half, last, perLayer := s.Dim/2, 1, 0
	for i, w := range s.Hidden {
		if w < 1 {
			return nil // Build names the bad width
		}
		perLayer = add(perLayer, w)
		if i == 0 {
			perLayer = add(perLayer, mul(half, w))
		} else {
			perLayer = add(perLayer, mul(s.Hidden[i-1], w))
		}
		last = w
	}
	out := half
	if a := strings.ToLower(s.Arch); (a == "nsf" || a == "nsf-ar") && s.Bins > 0 {
		out = mul(half, s.Bins)
	}
	perLayer = add(perLayer, mul(out, 1+last))
	if mul(s.Layers, perLayer) > count {
		return fmt.Errorf("a %d-layer %s on R^%d with hidden widths %v has more parameters than the %d values the file holds",
			s.Layers, s.Arch, s.Dim, s.Hidden, count)
	}
	return nil
}
