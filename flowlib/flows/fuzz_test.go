package flows

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/flowsgo/flows/flowlib/flowtest"
	"github.com/gomlx/gomlx/core/tensors"
)

// The fuzz targets run their seeds (f.Add and testdata/fuzz/FuzzXxx) as ordinary tests in go test;
// to search for new failures:
//
//	go test -run NONE -fuzz FuzzLoad -fuzztime 3m -parallel 1 ./flowlib/flows
//
// Every input that once failed is kept in testdata/fuzz/FuzzXxx as a regression seed.

// maxLoadAlloc bounds what one Load may allocate: building and compiling the largest fixture takes a few MB, so a
// header that makes Load allocate from its claimed shapes shows up far above it.
const maxLoadAlloc = 256 << 20

// FuzzLoad checks Load on corrupted, truncated and foreign files: it never panics, never allocates much more than
// the file, and either returns an error that names the file and says what is wrong, or a model whose every
// variable has the shape its architecture gives it, with finite values, that saves and loads back the same.
func FuzzLoad(f *testing.F) {
	fixtures, _ := filepath.Glob("testdata/v0.26/*.flow")
	if len(fixtures) == 0 {
		f.Fatal("no testdata/v0.26/*.flow fixtures")
	}
	var files [][]byte
	for _, p := range fixtures {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		files = append(files, data)
	}
	for i, data := range files {
		body := data[:len(data)-4]
		f.Add(data, true)
		f.Add(data[:len(data)/2], false) // truncated: refused by the checksum
		f.Add(data[:len(data)-1], false)
		f.Add(data[:len(data)/2], true) // truncated, checksum recomputed: refused by the sizes
		f.Add(data[:len(data)-1], true)
		f.Add(data[:len(fileMagic)], true)
		f.Add(withChecksum(body[:len(body)-4]), true) // one value short, valid checksum
		flipped := slices.Clone(data)
		flipped[len(data)-10] ^= 0x40
		f.Add(flipped, false)                            // rejected by the checksum
		f.Add(withChecksum(flipped[:len(data)-4]), true) // a changed value that passes it
		f.Add(spliceHeader(f, data, files[(i+1)%len(files)]), true)
		f.Add(withNaN(f, data), true)
		for _, edit := range headerEdits {
			f.Add(editHeader(f, data, edit), true)
		}
	}
	f.Add([]byte{}, true)
	f.Add([]byte(fileMagic), true)
	f.Add(withChecksum([]byte(fileMagic)), true)
	f.Add(withChecksum([]byte(fileMagic+"{}\n")), true)
	f.Add(withChecksum([]byte(fileMagic+"null\n")), true)
	f.Add(withChecksum([]byte(fileMagic+`{"spec":{"arch":"realnvp","dim":2,"layers":1,"hidden":[],"activation":"relu"}}`+"\n")), true)

	b := flowtest.Backend(f)
	// fixChecksum rewrites the CRC-32 trailer of the mutated bytes: without it nearly every mutation is refused by
	// the checksum and the fuzzer never reaches the header and the values.
	f.Fuzz(func(t *testing.T, data []byte, fixChecksum bool) {
		if fixChecksum && len(data) >= 4 {
			data = withChecksum(data[:len(data)-4])
		}
		if h, ok := parseHeader(data); ok && strings.ToLower(h.Spec.Arch) == "cnf" {
			steps := h.Spec.Steps
			if steps == 0 {
				steps = DefaultSteps
			}
			if n := float64(steps) * float64(h.Spec.Layers); n > 64 && n <= MaxODESteps {
				// Valid, but compiling takes a second or more per 64 unrolled steps (beyond MaxODESteps Build
				// refuses at once; TestODEStepsBound).
				t.Skipf("%d × %d ODE steps: too slow to compile in a fuzz execution", h.Spec.Layers, steps)
			}
		}
		path := filepath.Join(t.TempDir(), "fuzz.flow")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		m, err := Load(b, path)
		runtime.ReadMemStats(&after)
		if a := after.TotalAlloc - before.TotalAlloc; a > maxLoadAlloc+uint64(64*len(data)) {
			t.Errorf("Load allocated %d MB for a %d-byte file", a>>20, len(data))
		}
		if err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, "flows.Load: "+path+": ") || len(msg) < len("flows.Load: "+path+": ")+10 {
				t.Fatalf("Load error %q does not name the file and what is wrong", msg)
			}
			if m != nil {
				t.Fatalf("Load returned a model with the error %v", err)
			}
			return
		}
		header, _ := parseHeader(data)
		n := 0
		for v := range m.Store.IterVariables() {
			if !m.Owns(v) {
				continue
			}
			n++
			val, err := v.Value()
			if err != nil {
				t.Fatal(err)
			}
			if !val.Shape().Equal(v.Shape()) {
				t.Fatalf("variable %s: value shape %s, variable shape %s", v.Path(), val.Shape(), v.Shape())
			}
			flat, _ := tensors.CopyFlatData[float32](val)
			for _, x := range flat {
				if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
					t.Fatalf("variable %s holds %v after a successful Load", v.Path(), x)
				}
			}
		}
		if n != len(header.Variables) {
			t.Fatalf("the model has %d variables, the header %d", n, len(header.Variables))
		}
		again := filepath.Join(t.TempDir(), "again.flow")
		if err := Save(m, again); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(b, again); err != nil {
			t.Fatalf("a loaded model, saved again, does not load: %v", err)
		}
	})
}

// headerEdits change one thing in a fixture's JSON header (the values stay, the checksum is recomputed), so the
// fuzzer starts from files that reach header and value parsing.
var headerEdits = []func(h map[string]any){
	func(h map[string]any) { varShape(h, 0, []any{1 << 40, 1 << 40}) },         // huge shape
	func(h map[string]any) { varShape(h, 0, []any{-2, -8}) },                   // negative dims: product positive
	func(h map[string]any) { varShape(h, 0, []any{math.MaxInt64, 2}) },         // product overflows
	func(h map[string]any) { varShape(h, 0, []any{0}) },                        // empty
	func(h map[string]any) { varShape(h, 0, []any{}) },                         // scalar
	func(h map[string]any) { spec(h)["dim"] = 1 << 50 },                        // huge model from a small file
	func(h map[string]any) { spec(h)["layers"] = 1 << 50 },                     //
	func(h map[string]any) { spec(h)["hidden"] = []any{1 << 30, 1 << 30} },     //
	func(h map[string]any) { spec(h)["bins"] = 1 << 40 },                       //
	func(h map[string]any) { spec(h)["steps"] = 1 << 40 },                      // unrolled ODE steps
	func(h map[string]any) { spec(h)["dim"] = 3 },                              // a wrong but small shape
	func(h map[string]any) { spec(h)["arch"] = "glow" },                        // foreign architecture
	func(h map[string]any) { spec(h)["arch"] = "maf" },                         // another one of ours
	func(h map[string]any) { spec(h)["activation"] = "swish" },                 //
	func(h map[string]any) { spec(h)["bound"] = -1 },                           //
	func(h map[string]any) { spec(h)["scale_bound"] = 1e308 },                  //
	func(h map[string]any) { delete(h, "spec") },                               //
	func(h map[string]any) { h["variables"] = nil },                            //
	func(h map[string]any) { vars(h)[1] = vars(h)[0] },                         // a name twice
	func(h map[string]any) { vars(h)[0].(map[string]any)["name"] = "/flow/x" }, // a name the model lacks
	func(h map[string]any) { h["variables"] = vars(h)[1:] },                    // a variable missing
}

func spec(h map[string]any) map[string]any { return h["spec"].(map[string]any) }
func vars(h map[string]any) []any          { return h["variables"].([]any) }
func varShape(h map[string]any, i int, shape []any) {
	vars(h)[i].(map[string]any)["shape"] = shape
}

// editHeader returns data with its JSON header changed by edit and the checksum recomputed.
func editHeader(t testing.TB, data []byte, edit func(map[string]any)) []byte {
	t.Helper()
	end := len(fileMagic) + bytes.IndexByte(data[len(fileMagic):], '\n')
	var h map[string]any
	if err := json.Unmarshal(data[len(fileMagic):end], &h); err != nil {
		t.Fatal(err)
	}
	edit(h)
	js, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	out := append([]byte(fileMagic), js...)
	out = append(out, data[end:len(data)-4]...)
	return withChecksum(out)
}

// withNaN returns data with its last value replaced by NaN and the checksum recomputed.
func withNaN(t testing.TB, data []byte) []byte {
	t.Helper()
	body := slices.Clone(data[:len(data)-4])
	binary.LittleEndian.PutUint32(body[len(body)-4:], math.Float32bits(float32(math.NaN())))
	return withChecksum(body)
}

// TestSpecSizeBound checks the lower bounds Load puts on a spec's parameter count against the real count of every
// architecture: a bound above it would refuse a valid file.
func TestSpecSizeBound(t *testing.T) {
	b := flowtest.Backend(t)
	for _, arch := range Archs() {
		for _, s := range []Spec{smallSpec(arch), {Arch: arch, Dim: 3, Layers: 1, Hidden: []int{1}, Activation: "tanh", Bins: 2, Bound: 3, Steps: 1},
			{Arch: arch, Dim: 5, Layers: 2, Hidden: []int{3, 2}, Activation: "tanh", Bins: 3, Bound: 3, Steps: 1},
			{Arch: arch, Dim: 4, Layers: 1, Hidden: []int{2}, Activation: "tanh", Bins: 16, Bound: 3, Steps: 1}} {
			s.Arch = arch
			m, err := NewModel(b, s)
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Init(); err != nil {
				t.Fatal(err)
			}
			if err := checkSpecSize(s, m.NumParams()); err != nil {
				t.Errorf("%+v with %d parameters: %v", s, m.NumParams(), err)
			}
		}
	}
}

// parseHeader returns the JSON header of a file's bytes, if it has one.
func parseHeader(data []byte) (fileHeader, bool) {
	var h fileHeader
	if len(data) < len(fileMagic) || string(data[:len(fileMagic)]) != fileMagic {
		return h, false
	}
	end := bytes.IndexByte(data[len(fileMagic):], '\n')
	if end < 0 {
		return h, false
	}
	return h, json.Unmarshal(data[len(fileMagic):len(fileMagic)+end], &h) == nil
}

// TestODEStepsBound: Build refuses a continuous flow whose unrolled solver would be too large to compile, so Load
// refuses such a header before building anything, and accepts the bound itself.
func TestODEStepsBound(t *testing.T) {
	ok := CNF(2).Layers(4).Steps(MaxODESteps / 4).Spec()
	if _, err := Build(ok); err != nil {
		t.Errorf("Build(%d × %d steps): %v", ok.Layers, ok.Steps, err)
	}
	for _, s := range []Spec{CNF(2).Layers(4).Steps(MaxODESteps/4 + 1).Spec(), CNF(2).Layers(1).Steps(1 << 40).Spec()} {
		if _, err := Build(s); err == nil || !strings.Contains(err.Error(), "want at most MaxODESteps") {
			t.Errorf("Build(%d × %d steps): got %v, want an error naming MaxODESteps", s.Layers, s.Steps, err)
		}
	}
	data, err := os.ReadFile("testdata/v0.26/cnf.flow")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "steps.flow")
	if err := os.WriteFile(path, editHeader(t, data, func(h map[string]any) { spec(h)["steps"] = 1 << 40 }), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(flowtest.Backend(t), path); err == nil || !strings.Contains(err.Error(), "flows.Load: "+path+": flows: cnf: Spec.Layers × Spec.Steps") {
		t.Errorf("Load of a header claiming 2⁴⁰ ODE steps: got %v", err)
	}
}

// TestLoadRefusesHugeSpecs: a small file whose header asks for a model far larger than its values is refused
// before anything is built, with the sizes in the error.
func TestLoadRefusesHugeSpecs(t *testing.T) {
	data, err := os.ReadFile("testdata/v0.26/nsf.flow")
	if err != nil {
		t.Fatal(err)
	}
	b := flowtest.Backend(t)
	for _, c := range []struct {
		edit func(map[string]any)
		want string
	}{
		{func(h map[string]any) { spec(h)["bins"] = 1000 }, "has more parameters than the"},
		{func(h map[string]any) { spec(h)["dim"] = 1000 }, "has more parameters than the"},
		{func(h map[string]any) { spec(h)["layers"] = 100 }, "has more parameters than the"},
		{func(h map[string]any) { spec(h)["hidden"] = []any{8, 1 << 20} }, "has more parameters than the"},
		{func(h map[string]any) { spec(h)["dim"] = 1 << 40 }, "is larger than the"},
	} {
		path := filepath.Join(t.TempDir(), "huge.flow")
		if err := os.WriteFile(path, editHeader(t, data, c.edit), 0o644); err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := Load(b, path)
		runtime.ReadMemStats(&after)
		if err == nil || !strings.HasPrefix(err.Error(), "flows.Load: "+path+": ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Load: got %v, want an error naming the file and containing %q", err, c.want)
		}
		if a := after.TotalAlloc - before.TotalAlloc; a > 1<<20 {
			t.Errorf("Load allocated %d KB before refusing (%v)", a>>10, err)
		}
	}
}
