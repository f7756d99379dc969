package flowlib_test

import (
	"math"
	"strings"
	"testing"

	"github.com/flowsgo/flows/flowlib"
	"github.com/flowsgo/flows/flowlib/bijectors"
	"github.com/flowsgo/flows/flowlib/flows"
	"github.com/flowsgo/flows/flowlib/flowtest"
	"github.com/gomlx/gomlx/core/tensors"
)

// nudge moves every trainable variable away from the identity initialisation.
func nudge(t *testing.T, m *flowlib.Model) {
	t.Helper()
	if err := m.Init(); err != nil {
		t.Fatal(err)
	}
	for v := range m.Store.IterVariables() {
		if !m.Owns(v) || !v.Trainable {
			continue
		}
		flat, err := tensors.CopyFlatData[float32](v.MustValue())
		if err != nil {
			t.Fatal(err)
		}
		for i := range flat {
			flat[i] += float32(0.1 * math.Cos(float64(3*i+1)))
		}
		v.MustSetValue(tensors.FromFlatDataAndDimensions(flat, v.Shape().Dimensions...))
	}
}

// TestDensityIntegratesToOne1D: the chapter-1 flow, x = 1.5·(z + 0.45·sin 2z) − 0.5, by the midpoint rule on
// [−10, 10].
func TestDensityIntegratesToOne1D(t *testing.T) {
	shift, err := bijectors.FixedAffine([]float64{1.5}, []float64{-0.5})
	if err != nil {
		t.Fatal(err)
	}
	m := flowlib.NewModel(flowtest.Backend(t), flowlib.NewFlow(1, bijectors.MustSineWarp(0.45), shift))
	const n, lo, hi = 8000, -10.0, 10.0
	h := (hi - lo) / n
	xs := make([][]float64, n)
	for i := range xs {
		xs[i] = []float64{lo + (float64(i)+0.5)*h}
	}
	lp, err := m.LogProb(xs)
	if err != nil {
		t.Fatal(err)
	}
	total := 0.0
	for _, v := range lp {
		total += math.Exp(v) * h
	}
	if math.Abs(total-1) > 1e-3 {
		t.Errorf("∫p(x)dx: got %.6f, want 1 (tol 1e-3)", total)
	}
}

// TestDensityIntegratesToOne2D: a RealNVP moved away from the identity, on a 500×500 grid over [−10, 10]².
func TestDensityIntegratesToOne2D(t *testing.T) {
	m := flows.RealNVP(2).Layers(4).Hidden(16).MustModel(flowtest.Backend(t))
	nudge(t, m)
	const n, lo, hi = 500, -10.0, 10.0
	h := (hi - lo) / n
	var pts [][]float64
	for i := range n {
		for j := range n {
			pts = append(pts, []float64{lo + (float64(i)+0.5)*h, lo + (float64(j)+0.5)*h})
		}
	}
	lp, err := m.LogProb(pts)
	if err != nil {
		t.Fatal(err)
	}
	total := 0.0
	for _, v := range lp {
		total += math.Exp(v) * h * h
	}
	if math.Abs(total-1) > 1e-2 {
		t.Errorf("∫∫p(x)dx: got %.5f, want 1 (tol 1e-2)", total)
	}
}

func TestSampleAndTransform(t *testing.T) {
	m := flows.RealNVP(2).Layers(3).Hidden(8).MustModel(flowtest.Backend(t))
	nudge(t, m)
	a, err := m.Sample(5000, 1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := m.Sample(5000, 1)
	c, _ := m.Sample(5000, 2)
	if len(a) != 5000 || a[4999][1] != b[4999][1] || a[0][0] == c[0][0] {
		t.Errorf("Sample: got %d points; same seed equal: %v; different seeds differ: %v", len(a), a[4999][1] == b[4999][1], a[0][0] != c[0][0])
	}
	stages, err := m.Transform(a[:10], true)
	if err != nil {
		t.Fatal(err)
	}
	if len(stages) != 4 || stages[0][3][1] != float64(float32(a[3][1])) {
		t.Fatalf("Transform: got %d stages, want 4 (data + 3 layers undone), stage 0 = the input", len(stages))
	}
	back, err := m.Transform(stages[3], false)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		for j := range 2 {
			if d := math.Abs(back[3][i][j] - a[i][j]); d > 1e-4 {
				t.Errorf("Forward(Inverse(x))[%d][%d]: got %v, want %v (tol 1e-4)", i, j, back[3][i][j], a[i][j])
			}
		}
	}
	if s := m.Summary(); !strings.Contains(s, "layer 2: AffineCoupling") || !strings.Contains(s, "trainable parameters") {
		t.Errorf("Summary: got %q", s)
	}
}

func TestModelBadInput(t *testing.T) {
	m := flows.RealNVP(2).Layers(2).Hidden(8).MustModel(flowtest.Backend(t))
	cases := []struct {
		x    [][]float64
		want string
	}{
		{nil, "x: no points"},
		{[][]float64{{1, 2}, {3}}, "x: row 1 has 1 values, want 2"},
		{[][]float64{{math.NaN(), 2}}, "x: row 0, column 0 is NaN"},
	}
	for _, c := range cases {
		if _, err := m.LogProb(c.x); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("LogProb(%v): got error %v, want one containing %q", c.x, err, c.want)
		}
	}
	if _, err := m.Sample(0, 1); err == nil || !strings.Contains(err.Error(), "n must be ≥ 1") {
		t.Errorf("Sample(0): got %v", err)
	}
}
