package nn

import (
	"math"
	"testing"

	"github.com/gomlx/gomlx/backends"
	_ "github.com/gomlx/gomlx/backends/simplego"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// TestFastMatMulGradient checks FastMatMul's value and both gradients against GoMLX's own Dot.
func TestFastMatMulGradient(t *testing.T) {
	backend, err := backends.NewWithConfig("go:parallelism=-1")
	if err != nil {
		t.Fatal(err)
	}
	a := tensors.FromValue([][]float64{{1, 2, 3}, {-1, 0.5, 2}, {0.3, -2, 1}, {4, 1, -1}})
	b := tensors.FromValue([][]float64{{0.5, -1}, {2, 1}, {-0.3, 0.7}})
	// A nonlinear loss so the adjoint v is not constant.
	loss := func(p *Node) *Node { return ReduceAllSum(Mul(Tanh(p), Iota(p.Graph(), p.Shape(), 0))) }
	run := func(mul func(a, b *Node) *Node) [][][]float64 {
		out := MustExecOnceN(backend, func(a, b *Node) []*Node {
			p := mul(a, b)
			l := loss(p)
			grads := Gradient(l, a, b)
			return []*Node{p, grads[0], grads[1]}
		}, a, b)
		res := make([][][]float64, len(out))
		for i, o := range out {
			res[i] = o.Value().([][]float64)
		}
		return res
	}
	got, want := run(FastMatMul), run(Dot)
	names := []string{"a·b", "∂L/∂a", "∂L/∂b"}
	for k := range got {
		for i := range got[k] {
			for j := range got[k][i] {
				if d := math.Abs(got[k][i][j] - want[k][i][j]); d > 1e-12 {
					t.Errorf("%s[%d][%d]: got %v, want %v (tol 1e-12)", names[k], i, j, got[k][i][j], want[k][i][j])
				}
			}
		}
	}
}
