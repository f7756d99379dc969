package bijectors

import (
	"fmt"

	"github.com/flowsgo/flows/flowlib/nn"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
)

// MADE is a masked autoencoder for distribution estimation (Germain, Gregor, Murray & Larochelle, "MADE: Masked
// Autoencoder for Distribution Estimation", 2015, arXiv:1502.03509): a multi-layer perceptron whose weight matrices
// are multiplied by constant binary masks so that output d depends only on the inputs before it,
//
//	out_d = NN(x_1, …, x_{d−1})   (natural order; out_1 is a learned constant)
//
// One evaluation returns the conditioner outputs of every dimension at once, which is what makes an autoregressive
// flow's density a single pass. Input i has degree i (1…D); hidden unit k has degree m(k) = (k mod (D−1)) + 1; a
// weight from degree a to a hidden unit of degree b is kept when b ≥ a, and to an output of dimension d when d > a.
//
// Each head j returns a [batch, D·sizes[j]] node whose columns d·sizes[j] … (d+1)·sizes[j]−1 belong to dimension d
// (0-based). Heads start at zero (zero weights and biases), so the flows built on MADE start as the identity.
type MADE struct {
	Dim        int
	Hidden     []int
	Activation string
}

// Heads evaluates the network on x of shape [batch, Dim] and returns one output per entry of sizes, the number of
// values per dimension of that head. Variables live in scope: "hidden_i/{weights,biases}", "output_j/{weights,biases}".
// It panics when x is not [batch, Dim] or sizes are not positive.
func (m MADE) Heads(scope *model.Scope, x *Node, sizes ...int) []*Node {
	if x.Rank() != 2 || x.Shape().Dim(1) != m.Dim {
		panic(fmt.Sprintf("bijectors.MADE: want input of shape [batch, %d], got %s", m.Dim, x.Shape()))
	}
	for _, s := range sizes {
		if s < 1 {
			panic(fmt.Sprintf("bijectors.MADE: head sizes must be positive, got %v", sizes))
		}
	}
	d := m.Dim
	prevDeg := make([]int, d) // degrees of the current layer's inputs
	for i := range prevDeg {
		prevDeg[i] = i + 1
	}
	h := x
	for l, width := range m.Hidden {
		deg := HiddenDegrees(d, width)
		mask := make([][]float64, len(prevDeg))
		for a := range mask {
			mask[a] = make([]float64, width)
			for b := range width {
				if deg[b] >= prevDeg[a] {
					mask[a][b] = 1
				}
			}
		}
		h = nn.Activate(m.Activation, MaskedDense(scope.At("hidden_%d", l), h, mask, false))
		prevDeg = deg
	}
	heads := make([]*Node, len(sizes))
	for j, size := range sizes {
		mask := make([][]float64, len(prevDeg))
		for a := range mask {
			mask[a] = make([]float64, d*size)
			for out := range d {
				if out+1 > prevDeg[a] {
					for c := range size {
						mask[a][out*size+c] = 1
					}
				}
			}
		}
		name := "output"
		if j > 0 {
			name = fmt.Sprintf("output_%d", j)
		}
		heads[j] = MaskedDense(scope.At("%s", name), h, mask, true)
	}
	return heads
}

// HiddenDegrees returns the MADE degrees of a hidden layer of the given width in dim dimensions:
// m(k) = (k mod (dim−1)) + 1, cycling through 1…dim−1 so every degree is represented (all 1 when dim ≤ 2).
func HiddenDegrees(dim, width int) []int {
	deg := make([]int, width)
	for k := range deg {
		deg[k] = k%max(1, dim-1) + 1
	}
	return deg
}

// MaskedDense returns x·(W⊙M) + b for x of shape [batch, in] and the constant mask M of shape [in, out], with W and
// b variables "weights" and "biases" in scope (He-normal weights and nn.HiddenBiasInit biases, or both zero with
// zeroInit). Masked entries of W get a zero gradient.
func MaskedDense(scope *model.Scope, x *Node, mask [][]float64, zeroInit bool) *Node {
	if x.Rank() != 2 || len(mask) != x.Shape().Dim(1) || len(mask) == 0 {
		panic(fmt.Sprintf("bijectors.MaskedDense: want x [batch, %d] matching a mask of %d rows, got %s", len(mask), len(mask), x.Shape()))
	}
	out := len(mask[0])
	biasInit := nn.HiddenBiasInit(scope, len(mask))
	if zeroInit {
		scope, biasInit = scope.WithInitializer(initializer.Zero), initializer.Zero
	}
	w := scope.VariableWithShape("weights", shapes.Make(x.DType(), len(mask), out)).NodeValue(x.Graph())
	b := scope.WithInitializer(biasInit).VariableWithShape("biases", shapes.Make(x.DType(), 1, out)).NodeValue(x.Graph())
	return Add(DotProduct(x, Mul(w, ConstAs(w, mask))), b)
}
