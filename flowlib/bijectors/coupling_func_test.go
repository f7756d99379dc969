package bijectors_test

import (
	"math"
	"testing"

	"github.com/flowsgo/flows/flowlib"
	"github.com/flowsgo/flows/flowlib/bijectors"
	"github.com/flowsgo/flows/flowlib/flowtest"
	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend"
	. "github.com/gomlx/gomlx/core/graph"
)

func goBackend(t *testing.T) compute.Backend {
	t.Helper()
	b, err := compute.NewWithConfig("go:parallelism=-1")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// bend uses the sum of the kept coordinates u: log-scale a·tanh(u) per coordinate, shift b·(u² − 1).
func bend(a, b float64) bijectors.ScaleShiftFunc {
	return func(kept *Node) (*Node, *Node) {
		u := ReduceAndKeep(kept, ReduceSum, -1) // [batch, 1]
		return MulScalar(Tanh(u), a), MulScalar(AddScalar(Square(u), -1), b)
	}
}

// perCoord returns full [batch, D] results that differ per coordinate, with a [1, D] shift.
func perCoord(kept *Node) (*Node, *Node) {
	d := kept.Shape().Dim(1)
	w := make([]float64, d)
	for i := range w {
		w[i] = 0.3 * float64(i+1)
	}
	s := Mul(Sin(Add(kept, ConstAs(kept, [][]float64{w}))), ConstAs(kept, [][]float64{w}))
	return s, ConstAs(kept, [][]float64{w})
}

func TestFuncCouplingContract(t *testing.T) {
	backend := goBackend(t)
	for _, tc := range []struct {
		name string
		mask []bool
		fn   bijectors.ScaleShiftFunc
	}{
		{"2D keep x1", []bool{true, false}, bend(0.7, 0.5)},
		{"2D keep x2", []bool{false, true}, bend(-0.4, 1.2)},
		{"3D per coordinate", []bool{true, false, true}, perCoord},
		{"4D alternating", bijectors.AlternatingMask(4, 1), perCoord},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := bijectors.NewFuncCoupling(tc.mask, tc.fn)
			flowtest.CheckBijector(t, backend, b, len(tc.mask), flowtest.Options{Batch: 32, Scale: 1.5, Seed: 3})
		})
	}
}

// A single coupling layer leaves its kept coordinates exactly unchanged; two with complementary masks do not.
func TestFuncCouplingKeepsCoordinates(t *testing.T) {
	backend := goBackend(t)
	z := [][]float64{{0.3, -1.2}, {-2, 0.5}, {1.1, 1.7}}
	one := flowlib.NewModel(backend, flowlib.NewFlow(2, bijectors.NewFuncCoupling([]bool{true, false}, bend(0.5, 0.8))))
	stages, err := one.Transform(z, false)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range stages[1] {
		if want := float64(float32(z[i][0])); p[0] != want { // exact, up to the model's float32 input
			t.Errorf("kept coordinate of point %d: got %v, want %v exactly", i, p[0], want)
		}
		if math.Abs(p[1]-z[i][1]) < 1e-3 {
			t.Errorf("transformed coordinate of point %d: got %v, want it moved from %v", i, p[1], z[i][1])
		}
	}
	two := flowlib.NewModel(backend, flowlib.NewFlow(2,
		bijectors.NewFuncCoupling([]bool{true, false}, bend(0.5, 0.8)),
		bijectors.NewFuncCoupling([]bool{false, true}, bend(0.5, 0.8))))
	stages, err = two.Transform(z, false)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range stages[2] {
		if math.Abs(p[0]-z[i][0]) < 1e-3 || math.Abs(p[1]-z[i][1]) < 1e-3 {
			t.Errorf("point %d after two layers: got %v, want both coordinates moved from %v", i, p, z[i])
		}
	}
}

// The density of a stack of hand-written layers integrates to 1.
func TestFuncCouplingDensityIntegratesToOne(t *testing.T) {
	backend := goBackend(t)
	model := flowlib.NewModel(backend, flowlib.NewFlow(2,
		bijectors.NewFuncCoupling([]bool{true, false}, bend(0.5, 0.4)),
		bijectors.NewFuncCoupling([]bool{false, true}, bend(-0.3, 0.2))))
	const n, lo, hi = 400, -10.0, 10.0
	h := (hi - lo) / n
	pts := make([][]float64, 0, n*n)
	for i := range n {
		for j := range n {
			pts = append(pts, []float64{lo + (float64(j)+0.5)*h, lo + (float64(i)+0.5)*h})
		}
	}
	logp, err := model.LogProb(pts)
	if err != nil {
		t.Fatal(err)
	}
	total := 0.0
	for _, lp := range logp {
		total += math.Exp(lp) * h * h
	}
	if math.Abs(total-1) > 1e-3 {
		t.Errorf("∫p(x)dx on [%g, %g]²: got %.6f, want 1 (tol 1e-3)", lo, hi, total)
	}
}

func TestFuncCouplingPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"nil fn":       func() { bijectors.NewFuncCoupling([]bool{true, false}, nil) },
		"all kept":     func() { bijectors.NewFuncCoupling([]bool{true, true}, bend(1, 1)) },
		"nothing kept": func() { bijectors.NewFuncCoupling([]bool{false, false}, bend(1, 1)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: want a panic", name)
				}
			}()
			f()
		}()
	}
	if got := bijectors.NewFuncCoupling([]bool{true, false}, bend(1, 1)).Named("bend").Name(); got != "FuncCoupling(mask=10, bend)" {
		t.Errorf("Name: got %q, want %q", got, "FuncCoupling(mask=10, bend)")
	}
}
