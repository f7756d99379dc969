package flows

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowsgo/flows/flowlib"
	"github.com/flowsgo/flows/flowlib/flowtest"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// smallSpec is a quick-to-run instance of every architecture.
func smallSpec(arch string) Spec {
	return Spec{Arch: arch, Dim: 2, Layers: 2, Hidden: []int{8, 8}, Activation: "tanh", Bins: 4, Bound: 3, Steps: 4}
}

// New(arch, dim) carries each architecture's own defaults, so every architecture builds from its name alone (the
// command line's -arch does this; "cnf" used to get ReLU, which it refuses).
func TestNewBuildsEveryArchitecture(t *testing.T) {
	for _, arch := range Archs() {
		if _, err := Build(New(arch, 2).Spec()); err != nil {
			t.Errorf("Build(New(%q, 2).Spec()): %v", arch, err)
		}
	}
}

// TestEveryArchitecture runs the same checks over every registered architecture: log-prob shape and finiteness,
// the identity at initialisation (log-prob = the N(0, I) log-density), every variable receives a gradient, sample
// shape, and the round trip through the samples' own log-densities.
func TestEveryArchitecture(t *testing.T) {
	b := flowtest.Backend(t)
	points := [][]float64{{0.1, -0.3}, {1.2, 0.8}, {-2, 0.5}, {0, 0}}
	for _, arch := range Archs() {
		t.Run(arch, func(t *testing.T) {
			m, err := NewModel(b, smallSpec(arch))
			if err != nil {
				t.Fatal(err)
			}
			lp, err := m.LogProb(points)
			if err != nil {
				t.Fatal(err)
			}
			if len(lp) != len(points) {
				t.Fatalf("LogProb: got %d values, want %d", len(lp), len(points))
			}
			for i, p := range points {
				want := -0.5*(p[0]*p[0]+p[1]*p[1]) - math.Log(2*math.Pi)
				if math.Abs(lp[i]-want) > 1e-4 {
					t.Errorf("untrained LogProb(%v): got %.6f, want the N(0, I) value %.6f (tol 1e-4)", p, lp[i], want)
				}
			}
			perturbAll(t, m)
			checkEveryVariableGetsGradient(t, m, points)
			xs, lps, err := m.SampleAndLogProb(64, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(xs) != 64 || len(xs[0]) != 2 || len(lps) != 64 {
				t.Fatalf("SampleAndLogProb: got %d points of dim %d and %d log-probs, want 64, 2, 64", len(xs), len(xs[0]), len(lps))
			}
			// Round trip: the density of a sample computed by the inverse pass equals the one from the forward pass.
			again, err := m.LogProb(xs)
			if err != nil {
				t.Fatal(err)
			}
			for i := range xs {
				if d := math.Abs(again[i] - lps[i]); d > 2e-3*(1+math.Abs(lps[i])) {
					t.Errorf("sample %d: LogProb(x) = %.5f but SampleAndLogProb gave %.5f", i, again[i], lps[i])
				}
			}
		})
	}
}

// perturbAll moves every trainable variable away from its identity initialisation.
func perturbAll(t *testing.T, m *flowlib.Model) {
	t.Helper()
	// One small gradient-free nudge: add 0.2·sin(index) to every value.
	for v := range m.Store.IterVariables() {
		if !m.Owns(v) || !v.Trainable {
			continue
		}
		val := v.MustValue()
		flat := make([]float32, v.Shape().Size())
		copyFloat32(t, val, flat)
		for i := range flat {
			flat[i] += float32(0.2 * math.Sin(float64(i+1)))
		}
		setFloat32(t, v, flat)
	}
}

func checkEveryVariableGetsGradient(t *testing.T, m *flowlib.Model, points [][]float64) {
	t.Helper()
	var vars []*model.Variable
	for v := range m.Store.IterVariables() {
		if m.Owns(v) && v.Trainable {
			vars = append(vars, v)
		}
	}
	if len(vars) == 0 {
		t.Fatal("model has no trainable variables")
	}
	exec, err := model.NewExec(m.Backend, m.Store, func(scope *model.Scope, x *Node) []*Node {
		loss := m.NLLGraph(scope, x)
		nodes := make([]*Node, len(vars))
		for i, v := range vars {
			nodes[i] = v.NodeValue(x.Graph())
		}
		grads := Gradient(loss, nodes...)
		for i := range grads {
			grads[i] = ReduceAllMax(Abs(grads[i]))
		}
		return grads
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := exec.Call(flowlib.ToTensor(points, 0, 2))
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if g := tensors.ToScalar[float32](r); !(g > 0) {
			t.Errorf("variable %s gets no gradient (max |∂NLL/∂v| = %v)", vars[i].Path(), g)
		}
	}
}

func TestBuildBadSpecs(t *testing.T) {
	cases := []struct {
		spec Spec
		want string
	}{
		{Spec{Arch: "glow", Dim: 2, Layers: 1, Activation: "relu"}, "unknown architecture"},
		{Spec{Arch: "realnvp", Dim: 0, Layers: 1, Activation: "relu"}, "Spec.Dim"},
		{Spec{Arch: "realnvp", Dim: 1, Layers: 1, Activation: "relu"}, "Spec.Dim ≥ 2"},
		{Spec{Arch: "realnvp", Dim: 2, Layers: 0, Activation: "relu"}, "Spec.Layers"},
		{Spec{Arch: "realnvp", Dim: 2, Layers: 2, Hidden: []int{0}, Activation: "relu"}, "Spec.Hidden"},
		{Spec{Arch: "realnvp", Dim: 2, Layers: 2, Activation: "sigmoidish"}, "Spec.Activation"},
		{Spec{Arch: "realnvp", Dim: 2, Layers: 2, Activation: "relu", HeadInit: -1}, "Spec.HeadInit"},
	}
	for _, c := range cases {
		if _, err := Build(c.spec); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Build(%+v): got error %v, want one containing %q", c.spec, err, c.want)
		}
	}
}

// HeadInit starts the coupling heads random, so the flow is not the identity at step 0, and it is part of the spec
// that Save writes: a loaded model is the same model.
func TestHeadInit(t *testing.T) {
	b := flowtest.Backend(t)
	points := [][]float64{{0.3, 0.1}, {-1, 2}}
	for _, arch := range []string{"realnvp", "nice"} {
		m, err := New(arch, 2).Layers(2).Hidden(8).HeadInit(1).Model(b)
		if err != nil {
			t.Fatal(err)
		}
		lp, err := m.LogProb(points)
		if err != nil {
			t.Fatal(err)
		}
		base := -0.5*(0.3*0.3+0.1*0.1) - math.Log(2*math.Pi)
		if math.Abs(lp[0]-base) < 1e-4 {
			t.Errorf("%s with HeadInit 1: log p %v = the N(0, I) value %v: the heads did not start random", arch, lp[0], base)
		}
		path := filepath.Join(t.TempDir(), "m.flow")
		if err := Save(m, path); err != nil {
			t.Fatal(err)
		}
		loaded, err := Load(b, path)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := loaded.LogProb(points); got[0] != lp[0] || loaded.Spec.(Spec).HeadInit != 1 {
			t.Errorf("%s: loaded log p %v (spec %+v), saved %v", arch, got[0], loaded.Spec, lp[0])
		}
	}
}

func TestSaveLoad(t *testing.T) {
	b := flowtest.Backend(t)
	m := RealNVP(2).Layers(2).Hidden(8).MustModel(b)
	if err := m.Init(); err != nil {
		t.Fatal(err)
	}
	perturbAll(t, m)
	dir := t.TempDir()
	path := filepath.Join(dir, "m.flow")
	if err := Save(m, path); err != nil {
		t.Fatal(err)
	}
	points := [][]float64{{0.3, 0.1}, {-1, 2}}
	want, _ := m.LogProb(points)
	loaded, err := Load(b, path)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := loaded.LogProb(points)
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("loaded LogProb[%d]: got %v, want %v (exact)", i, got[i], want[i])
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("Save left %d files in its folder, want 1 (no temporary files)", len(entries))
	}
	// LoadFS reads the same file from a file system (here the folder; in use, an embedded one).
	fromFS, err := LoadFS(b, os.DirFS(dir), "m.flow")
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := fromFS.LogProb(points); got[0] != want[0] || got[1] != want[1] {
		t.Errorf("LoadFS: LogProb %v, want %v (exact)", got, want)
	}
	if _, err := LoadFS(b, os.DirFS(dir), "missing.flow"); err == nil || !strings.Contains(err.Error(), "flows.LoadFS") {
		t.Errorf("LoadFS of a missing file: got error %v, want one naming flows.LoadFS", err)
	}

	data, _ := os.ReadFile(path)
	writeFile := func(name string, content []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, content, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	other := RealNVP(2).Layers(3).Hidden(8).MustModel(b)
	otherPath := filepath.Join(dir, "other.flow")
	if err := Save(other, otherPath); err != nil {
		t.Fatal(err)
	}
	otherData, _ := os.ReadFile(otherPath)
	// Another architecture's header with this file's variables: swap the headers, fix the checksum.
	mismatched := spliceHeader(t, data, otherData)
	cases := []struct{ path, want string }{
		{filepath.Join(dir, "missing.flow"), "no such file"},
		{writeFile("truncated.flow", data[:len(data)/2]), "truncated or corrupted"},
		{writeFile("garbage.flow", []byte("hello")), "not a flowlib model file"},
		{writeFile("mismatch.flow", mismatched), "the header lists"},
		{writeFile("wider.flow", bytes.Replace(data, []byte(`"hidden":[8]`), []byte(`"hidden":[9]`), 1)), "checksum"},
		{writeFile("reshaped.flow", withChecksum(bytes.Replace(data[:len(data)-4], []byte(`"hidden":[8]`), []byte(`"hidden":[9]`), 1))), "has shape [2 8] in the file but [2 9] in the model"},
	}
	for _, c := range cases {
		if _, err := Load(b, c.path); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Load(%s): got error %v, want one containing %q", filepath.Base(c.path), err, c.want)
		}
	}

	// A failed save (into a folder that does not exist) leaves the existing file untouched.
	if err := Save(m, filepath.Join(dir, "nope", "m.flow")); err == nil {
		t.Error("Save into a missing folder: got no error")
	}
	if again, _ := os.ReadFile(path); string(again) != string(data) {
		t.Error("the saved file changed after a failed save elsewhere")
	}
}
