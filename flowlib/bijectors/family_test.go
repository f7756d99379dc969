package bijectors

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/flowsgo/flows/flowlib"
	"github.com/flowsgo/flows/flowlib/flowtest"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// Every chapter-6 bijector through the shared checker: shapes, round trip, log-dets cancel, log-det = log|det J| from
// autodiff, identity at initialisation.
func TestChapter6BijectorsPassSharedChecks(t *testing.T) {
	small := Conditioner{Hidden: []int{16, 16}, Activation: "tanh"}
	cases := []struct {
		name string
		b    flowlib.Bijector
		dim  int
		opts flowtest.Options
	}{
		{"MAF 2D", NewMAF(2).WithConditioner(small), 2, flowtest.Options{Identity: true}},
		{"MAF 3D relu", NewMAF(3).Hidden(16, 16), 3, flowtest.Options{Identity: true}},
		{"MAF 4D no hidden", NewMAF(4).Hidden(), 4, flowtest.Options{Identity: true}},
		{"IAF 3D", NewIAF(3, func(m *MaskedAutoregressive) { m.WithConditioner(small) }), 3, flowtest.Options{Identity: true}},
		{"SplineCoupling 2D", NewSplineCoupling([]bool{true, false}, 8, 4).WithConditioner(small), 2, flowtest.Options{Identity: true}},
		{"SplineCoupling 3D", NewSplineCoupling([]bool{false, true, false}, 5, 3).WithConditioner(small), 3, flowtest.Options{Identity: true}},
		// Scale 3 on bound 2: about half the coordinates lie in the identity tails.
		{"SplineCoupling tails", NewSplineCoupling([]bool{true, false}, 6, 2).WithConditioner(small), 2,
			flowtest.Options{Identity: true, Scale: 3, Batch: 32}},
		{"SplineAutoregressive 3D", NewSplineAutoregressive(3, 8, 4).WithConditioner(small), 3, flowtest.Options{Identity: true}},
		{"IAF spline 2D", flowlib.Invert(NewSplineAutoregressive(2, 4, 3).WithConditioner(small)), 2, flowtest.Options{Identity: true}},
		// RK4 round trip and log-det hold to O(h⁴): 16 steps reach ~1e-5 here.
		{"CNF 2D", NewCNF(2).Hidden(16, 16).Steps(16), 2, flowtest.Options{Identity: true, Tol: 1e-3, Perturb: 0.2}},
		{"CNF 3D one layer", NewCNF(3).Hidden(16).Steps(16), 3, flowtest.Options{Identity: true, Tol: 1e-3, Perturb: 0.2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			flowtest.CheckBijector(t, flowtest.Backend(t), c.b, c.dim, c.opts)
		})
	}
}

// MADE's masks: head d must not change when coordinates d, d+1, … change.
func TestMADEIsAutoregressive(t *testing.T) {
	for _, hidden := range [][]int{{}, {8}, {16, 16}, {5, 7, 9}} {
		t.Run(fmt.Sprint(hidden), func(t *testing.T) {
			const dim, size = 4, 3
			made := MADE{Dim: dim, Hidden: hidden, Activation: "tanh"}
			store := model.NewStore()
			exec, err := model.NewExec(flowtest.Backend(t), store, func(scope *model.Scope, x *Node) []*Node {
				return made.Heads(scope, x, size, 1)
			})
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(1, 2))
			base := make([]float64, dim)
			for i := range base {
				base[i] = rng.NormFloat64()
			}
			pts := [][]float64{base}
			for j := range dim { // row 1+j: base with coordinate j changed
				p := append([]float64(nil), base...)
				p[j] += 1.5
				pts = append(pts, p)
			}
			run := func() [][][]float64 {
				res, err := exec.Call(flowlib.ToTensor(pts, 0, dim))
				if err != nil {
					t.Fatal(err)
				}
				return [][][]float64{flowlib.FromTensor(res[0]), flowlib.FromTensor(res[1])}
			}
			for _, head := range run() {
				for _, row := range head {
					for _, v := range row {
						if v != 0 {
							t.Fatalf("fresh MADE output: got %v, want 0 (zero-initialised heads)", v)
						}
					}
				}
			}
			ch6Perturb(t, store, 3, 0.5)
			for h, head := range run() {
				per := []int{size, 1}[h]
				for j := range dim {
					for d := range dim {
						// Rows of a batch may be summed in different orders (float32 rounding, ~1e-7); a real
						// dependence moves an output by ~0.1 here.
						changed := false
						for c := range per {
							if math.Abs(head[1+j][d*per+c]-head[0][d*per+c]) > 1e-5 {
								changed = true
							}
						}
						if j >= d && changed {
							t.Errorf("head %d, dimension %d changed when x_%d changed: want it to depend on x_0…x_%d only", h, d, j, d-1)
						}
						if j < d && !changed && len(hidden) < 3 {
							t.Errorf("head %d, dimension %d did not change when x_%d changed", h, d, j)
						}
					}
				}
			}
		})
	}
}

// Hutchinson's estimator is unbiased: averaged over many probes it matches the exact trace's log-det.
func TestCNFHutchinsonMatchesExactOnAverage(t *testing.T) {
	const n = 4096
	exact := NewCNF(2).Hidden(16).Steps(4)
	hutch := NewCNF(2).Hidden(16).Steps(4).Trace(TraceHutchinson)
	store := model.NewStore()
	exec, err := model.NewExec(flowtest.Backend(t), store, func(scope *model.Scope, z *Node) (*Node, *Node, *Node) {
		_, ldE := exact.Forward(scope, z)
		_, ldH := hutch.Forward(scope, z)
		return ReduceAllMean(ldE), ReduceAllMean(ldH), ReduceAllMean(Square(Sub(ldH, ldE)))
	})
	if err != nil {
		t.Fatal(err)
	}
	pts := make([][]float64, n)
	for i := range pts {
		pts[i] = []float64{0.3, -0.7} // one point, many probes
	}
	if _, err := exec.Call(flowlib.ToTensor(pts, 0, 2)); err != nil {
		t.Fatal(err)
	}
	ch6Perturb(t, store, 5, 0.5)
	res, err := exec.Call(flowlib.ToTensor(pts, 0, 2))
	if err != nil {
		t.Fatal(err)
	}
	e, h := float64(tensors.ToScalar[float32](res[0])), float64(tensors.ToScalar[float32](res[1]))
	sd := math.Sqrt(float64(tensors.ToScalar[float32](res[2])))
	if sd == 0 {
		t.Fatalf("Hutchinson log-det has no spread around the exact one: the probe is not random")
	}
	if tol := 5 * sd / math.Sqrt(n); math.Abs(e-h) > tol {
		t.Errorf("mean Hutchinson log-det: got %.5f, want the exact %.5f (tol %.2g = 5 standard errors)", h, e, tol)
	}
}
