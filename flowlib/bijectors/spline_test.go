package bijectors

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/flowsgo/flows/flowlib/flowtest"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// splineRun evaluates RQSpline forward and inverse on x ([n, 1]) with the same parameters for every row, and the
// gradients of Σ(y + logDeriv) with respect to x and every parameter. Parameters are given per row too.
type splineOut struct {
	y, ld, back, ldBack, gx, guw, guh, gud []float64
}

func splineRun(t *testing.T, x []float64, uw, uh, ud []float64, bins int, bound float64) splineOut {
	t.Helper()
	n := len(x)
	rep := func(p []float64) *tensors.Tensor {
		flat := make([]float32, 0, n*len(p))
		for range n {
			for _, v := range p {
				flat = append(flat, float32(v))
			}
		}
		return tensors.FromFlatDataAndDimensions(flat, n, len(p))
	}
	xs := make([]float32, n)
	for i, v := range x {
		xs[i] = float32(v)
	}
	outs := MustExecOnceN(flowtest.Backend(t), func(x, uw, uh, ud *Node) []*Node {
		y, ld := RQSpline(x, uw, uh, ud, bins, bound, false)
		back, ldBack := RQSpline(y, uw, uh, ud, bins, bound, true)
		grads := Gradient(ReduceAllSum(Add(Add(y, ld), Add(back, ldBack))), x, uw, uh, ud)
		return append([]*Node{y, ld, back, ldBack}, grads...)
	}, tensors.FromFlatDataAndDimensions(xs, n, 1), rep(uw), rep(uh), rep(ud))
	flat := func(tt *tensors.Tensor) []float64 {
		v := tensors.MustCopyFlatData[float32](tt)
		out := make([]float64, len(v))
		for i := range v {
			out[i] = float64(v[i])
		}
		return out
	}
	return splineOut{flat(outs[0]), flat(outs[1]), flat(outs[2]), flat(outs[3]), flat(outs[4]), flat(outs[5]), flat(outs[6]), flat(outs[7])}
}

func allFinite(t *testing.T, what string, v []float64) {
	t.Helper()
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			t.Fatalf("%s[%d]: got %v, want a finite number", what, i, x)
		}
	}
}

// The edges of the spline: exactly at ±bound, just inside and outside, far outside, collapsing bins, huge logits.
func TestRQSplineEdgeCases(t *testing.T) {
	const bins, bound = 8, 4.0
	rng := rand.New(rand.NewPCG(3, 4))
	randn := func(n int, s float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = s * rng.NormFloat64()
		}
		return v
	}
	collapse := make([]float64, bins) // all mass in one bin: the others shrink to the minimum width
	for i := range collapse {
		collapse[i] = -50
	}
	collapse[3] = 50
	huge := make([]float64, bins)
	for i := range huge {
		huge[i] = 1e4 * float64(i%3-1)
	}
	x := []float64{-bound, bound, -bound + 1e-6, bound - 1e-6, -bound - 1e-6, bound + 1e-6, 0, 1e-7, -3.99, 3.99,
		-1e6, 1e6, -37, 12.5, -1, 1, 2.5}
	cases := []struct {
		name       string
		uw, uh, ud []float64
	}{
		{"zero (identity)", make([]float64, bins), make([]float64, bins), make([]float64, bins-1)},
		{"random", randn(bins, 1), randn(bins, 1), randn(bins-1, 1)},
		{"collapsing widths", collapse, randn(bins, 1), randn(bins-1, 1)},
		{"collapsing heights", randn(bins, 1), collapse, randn(bins-1, 1)},
		{"huge logits", huge, huge[:bins], []float64{1e4, -1e4, 1e4, -1e4, 0, 50, -50}},
		{"tiny derivatives", randn(bins, 1), randn(bins, 1), []float64{-1e3, -1e3, -1e3, -1e3, -1e3, -1e3, -1e3}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := splineRun(t, x, c.uw, c.uh, c.ud, bins, bound)
			for name, v := range map[string][]float64{"y": out.y, "logDeriv": out.ld, "inverse": out.back,
				"inverse logDeriv": out.ldBack, "∂/∂x": out.gx, "∂/∂uw": out.guw, "∂/∂uh": out.guh, "∂/∂ud": out.gud} {
				allFinite(t, name, v)
			}
			for i, xi := range x {
				if math.Abs(xi) > bound {
					if out.y[i] != float64(float32(xi)) || out.ld[i] != 0 {
						t.Errorf("outside the interval x = %g: got y = %g, logDeriv = %g, want the identity", xi, out.y[i], out.ld[i])
					}
				}
				if math.Abs(xi) == bound && math.Abs(out.y[i]-xi) > 1e-5 {
					t.Errorf("at the bound x = %g: got y = %g, want the bound itself (the knots end there)", xi, out.y[i])
				}
				if math.Abs(out.y[i]) > bound+1e-5 && math.Abs(xi) <= bound {
					t.Errorf("x = %g inside maps outside: y = %g", xi, out.y[i])
				}
				// The inverse amplifies y's float32 rounding by dx/dy = exp(−logDeriv): flat bins are ill-conditioned.
				tol := 1e-4 * (1 + math.Abs(xi)) * (1 + math.Exp(-out.ld[i]))
				if math.Abs(out.back[i]-xi) > tol {
					t.Errorf("round trip at x = %g: got %g (tol %.2g)", xi, out.back[i], tol)
				}
			}
		})
	}
}

// Monotone by construction, and log-derivative = log of the finite-difference slope, on a fine grid.
func TestRQSplineMonotoneAndDerivative(t *testing.T) {
	const bins, bound = 6, 3.0
	rng := rand.New(rand.NewPCG(7, 8))
	for trial := range 3 {
		t.Run(fmt.Sprint(trial), func(t *testing.T) {
			uw, uh, ud := make([]float64, bins), make([]float64, bins), make([]float64, bins-1)
			for _, p := range [][]float64{uw, uh, ud} {
				for i := range p {
					p[i] = 1.5 * rng.NormFloat64()
				}
			}
			// Triples (x−h, x, x+h) for a central difference with a step small against the bins.
			const n, h = 801, 2e-4
			x := make([]float64, 0, 3*n)
			for i := range n {
				c := -4 + 8*float64(i)/float64(n-1)
				x = append(x, c-h, c, c+h)
			}
			out := splineRun(t, x, uw, uh, ud, bins, bound)
			for i := 1; i < len(x); i++ {
				// Non-decreasing at float32 resolution everywhere, strictly increasing between grid centres.
				if out.y[i] < out.y[i-1] || (i%3 == 1 && i > 3 && !(out.y[i] > out.y[i-3])) {
					t.Fatalf("not increasing: y(%g) = %g, y(%g) = %g", x[i-1], out.y[i-1], x[i], out.y[i])
				}
			}
			for i := 1; i < len(x); i += 3 {
				slope := (out.y[i+1] - out.y[i-1]) / (x[i+1] - x[i-1])
				if d := math.Exp(out.ld[i]); math.Abs(d-slope) > 2e-2*(1+d) {
					t.Errorf("derivative at x = %g: got exp(logDeriv) = %g, want the finite difference %g (tol %.2g)", x[i], d, slope, 2e-2*(1+d))
				}
				if math.Abs(out.ld[i]+out.ldBack[i]) > 1e-3 {
					t.Errorf("forward + inverse logDeriv at x = %g: got %g, want 0", x[i], out.ld[i]+out.ldBack[i])
				}
			}
		})
	}
}

func TestRQSplinePanicsOnBadArguments(t *testing.T) {
	for _, c := range []struct {
		bins  int
		bound float64
	}{{1, 3}, {4, 0}, {4, math.Inf(1)}, {4, math.NaN()}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewSplineCoupling(bins=%d, bound=%v): want a panic", c.bins, c.bound)
				}
			}()
			NewSplineCoupling([]bool{true, false}, c.bins, c.bound)
		}()
	}
}
