package flows

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"

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

// Load reads a model written by [Save] and rebuilds it on backend. It returns an error when the file is missing,
// truncated or corrupted, or holds variables that do not match the architecture it names.
func Load(backend compute.Backend, path string) (*flowlib.Model, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("flows.Load: %w", err)
	}
	if len(data) < len(fileMagic)+4 || string(data[:len(fileMagic)]) != fileMagic {
		return nil, fmt.Errorf("flows.Load: %s is not a flowlib model file (no %q header)", path, fileMagic[:len(fileMagic)-1])
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return nil, fmt.Errorf("flows.Load: %s is truncated or corrupted (checksum mismatch)", path)
	}
	r := bufio.NewReaderSize(bytes.NewReader(body[len(fileMagic):]), len(body))
	line, err := r.ReadBytes('\n')
	if err != nil {
		return nil, fmt.Errorf("flows.Load: %s: reading header: %w", path, err)
	}
	var header fileHeader
	if err := json.Unmarshal(line, &header); err != nil {
		return nil, fmt.Errorf("flows.Load: %s: bad header: %w", path, err)
	}
	count := 0
	for _, sv := range header.Variables {
		size := 1
		for _, d := range sv.Shape {
			size *= d
		}
		count += size
	}
	if rest := r.Buffered(); rest != 4*count {
		return nil, fmt.Errorf("flows.Load: %s: the header lists %d values but the file holds %d bytes of values, want %d",
			path, count, rest, 4*count)
	}
	m, err := NewModel(backend, header.Spec)
	if err != nil {
		return nil, fmt.Errorf("flows.Load: %s: %w", path, err)
	}
	if err := m.Init(); err != nil {
		return nil, fmt.Errorf("flows.Load: %w", err)
	}
	want := map[string]bool{}
	for v := range m.Store.IterVariables() {
		if m.Owns(v) {
			want[v.Path()] = true
		}
	}
	for _, sv := range header.Variables {
		v := m.Store.GetVariable(sv.Name)
		if v == nil || !want[sv.Name] {
			return nil, fmt.Errorf("flows.Load: %s: variable %s does not exist in a %s model built from the saved spec",
				path, sv.Name, header.Spec.Arch)
		}
		size := 1
		for _, d := range sv.Shape {
			size *= d
		}
		if !slices.Equal(sv.Shape, v.Shape().Dimensions) {
			return nil, fmt.Errorf("flows.Load: %s: variable %s has shape %v in the file but %v in the model",
				path, sv.Name, sv.Shape, v.Shape().Dimensions)
		}
		vals := make([]float32, size)
		if err := binary.Read(r, binary.LittleEndian, vals); err != nil {
			return nil, fmt.Errorf("flows.Load: %s: reading %s: %w", path, sv.Name, err)
		}
		for _, x := range vals {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return nil, fmt.Errorf("flows.Load: %s: variable %s holds a non-finite value", path, sv.Name)
			}
		}
		if err := v.SetValue(tensors.FromFlatDataAndDimensions(vals, sv.Shape...)); err != nil {
			return nil, fmt.Errorf("flows.Load: %w", err)
		}
		delete(want, sv.Name)
	}
	for name := range want {
		return nil, fmt.Errorf("flows.Load: %s: the file has no value for variable %s", path, name)
	}
	if rest, _ := io.ReadAll(r); len(rest) != 0 {
		return nil, fmt.Errorf("flows.Load: %s: %d unexpected bytes after the variables", path, len(rest))
	}
	return m, nil
}
