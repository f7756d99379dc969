// Package nn holds the small neural networks that flow layers use as conditioners: a dense layer with a fast
// gradient, and a multi-layer perceptron whose last layer starts at zero.
//
// Usage:
//
//	h := nn.MLP(ctx.In("conditioner"), x, 2*d).Hidden(64, 64).Activation("relu").Done()
//
// Every layer here multiplies matrices with [FastMatMul], whose backward pass is two matrix products. GoMLX v0.26.0's
// stock gradient of Dot/DotGeneral broadcasts to a [batch, in, out] tensor and reduces it, which is most of the cost
// of a training step on the pure-Go backend (see shared FACTS: 4.8–9.8× slower steps).
package nn

import (
	"fmt"
	"math"
	"slices"
	"strings"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
)

// FastMatMul returns a·b for a of shape [n, k] and b of shape [k, m], with a backward pass made of two matrix
// products: ∂L/∂a = v·bᵀ and ∂L/∂b = aᵀ·v, where v = ∂L/∂(a·b).
//
// GoMLX v0.26.0 offers custom gradients only for identity nodes, so FastMatMul wires them up: the product itself is
// computed on stopped inputs; a and b reach the output through a zero-valued term (0·Σa + 0·Σb) whose only job is to
// give them an adjoint; their custom gradients then ignore that (zero) adjoint and use v, which the identity placed on
// the output captured. Reverse-mode differentiation visits the output before its inputs, so v is always set in time.
// Higher-order gradients through FastMatMul are not supported (nothing in flowlib needs them).
func FastMatMul(a, b *Node) *Node {
	if a.Rank() != 2 || b.Rank() != 2 || a.Shape().Dim(1) != b.Shape().Dim(0) {
		panic(fmt.Sprintf("nn.FastMatMul: want a [n, k] and b [k, m], got a %s and b %s", a.Shape(), b.Shape()))
	}
	var v *Node // ∂L/∂(a·b), set during the backward pass.
	aTied := IdentityWithCustomGradient(a, func(_, _ *Node) *Node {
		return DotGeneral(v, []int{1}, nil, StopGradient(b), []int{1}, nil) // [n, m]·[k, m]ᵀ → [n, k]
	})
	bTied := IdentityWithCustomGradient(b, func(_, _ *Node) *Node {
		return DotGeneral(StopGradient(a), []int{0}, nil, v, []int{0}, nil) // [n, k]ᵀ·[n, m] → [k, m]
	})
	product := DotGeneral(StopGradient(a), []int{1}, nil, StopGradient(b), []int{0}, nil)
	tie := Add(MulScalar(ReduceAllSum(aTied), 0), MulScalar(ReduceAllSum(bTied), 0))
	out := Add(product, tie)
	return IdentityWithCustomGradient(out, func(_, adjoint *Node) *Node {
		v = adjoint
		return adjoint
	})
}

// Dense returns x·W + b for x of shape [batch, in], with W of shape [in, out] and b of shape [1, out] held in ctx
// as variables "weights" and "biases". Weights start from ctx's initializer (He-normal by default); biases start at
// zero. Hidden layers should use [HiddenDense], whose biases start at random.
func Dense(ctx *context.Context, x *Node, out int) *Node {
	return dense(ctx, x, out, initializers.Zero)
}

// HiddenDense is [Dense] for hidden layers: its biases start at random, uniform in ±1/√in (PyTorch's default).
// On the low-dimensional inputs of 2D flows, zero biases would make every ReLU of the first layer bend at the same
// point (input 0), so the network would start as a function with a single kink and train slowly.
func HiddenDense(ctx *context.Context, x *Node, out int) *Node {
	return dense(ctx, x, out, HiddenBiasInit(ctx, x.Shape().Dim(x.Rank()-1)))
}

// HiddenBiasInit is the bias initializer of [HiddenDense] for a layer with fanIn inputs.
func HiddenBiasInit(ctx *context.Context, fanIn int) context.VariableInitializer {
	lim := 1 / math.Sqrt(float64(max(fanIn, 1)))
	return initializers.RandomUniformFn(ctx, -lim, lim)
}

// dense is [Dense] with the given bias initializer.
func dense(ctx *context.Context, x *Node, out int, biasInit context.VariableInitializer) *Node {
	if x.Rank() != 2 {
		panic(fmt.Sprintf("nn.Dense: input must be [batch, features], got %s", x.Shape()))
	}
	w := ctx.VariableWithShape("weights", shapes.Make(x.DType(), x.Shape().Dim(1), out)).ValueGraph(x.Graph())
	b := ctx.WithInitializer(biasInit).VariableWithShape("biases", shapes.Make(x.DType(), 1, out)).ValueGraph(x.Graph())
	return Add(FastMatMul(x, w), b)
}

// Activations lists the names accepted by [MLPBuilder.Activation].
var Activations = []string{"relu", "tanh", "silu", "elu", "softplus"}

// Activate applies the named activation elementwise; it panics on an unknown name.
func Activate(name string, x *Node) *Node {
	switch strings.ToLower(name) {
	case "relu":
		return Max(x, ZerosLike(x))
	case "tanh":
		return Tanh(x)
	case "silu", "swish":
		return Mul(x, Sigmoid(x))
	case "elu":
		return Where(GreaterThan(x, ZerosLike(x)), x, Sub(Exp(Min(x, ZerosLike(x))), OnesLike(x)))
	case "softplus":
		return Softplus(x)
	}
	panic(fmt.Sprintf("nn: unknown activation %q, want one of %v", name, Activations))
}

// MLPBuilder configures a multi-layer perceptron; create it with [MLP] and finish with [MLPBuilder.Done].
type MLPBuilder struct {
	ctx        *context.Context
	x          *Node
	out        int
	hidden     []int
	activation string
	zeroLast   bool
}

// MLP starts a perceptron that maps x of shape [batch, in] to [batch, out]. Defaults: two hidden layers of 64,
// ReLU, and a last layer initialised to zero, so the network outputs exactly 0 until it is trained — which is what
// makes every flow layer start as the identity.
func MLP(ctx *context.Context, x *Node, out int) *MLPBuilder {
	return &MLPBuilder{ctx: ctx, x: x, out: out, hidden: []int{64, 64}, activation: "relu", zeroLast: true}
}

// Hidden sets the widths of the hidden layers (none is allowed: a single affine layer).
func (b *MLPBuilder) Hidden(widths ...int) *MLPBuilder {
	b.hidden = slices.Clone(widths)
	return b
}

// Activation sets the hidden activation, one of [Activations].
func (b *MLPBuilder) Activation(name string) *MLPBuilder {
	b.activation = name
	return b
}

// ZeroLast sets whether the last layer starts at zero (default true).
func (b *MLPBuilder) ZeroLast(zero bool) *MLPBuilder {
	b.zeroLast = zero
	return b
}

// Done builds the network and returns its output, of shape [batch, out].
func (b *MLPBuilder) Done() *Node {
	return b.DoneHeads(1)[0]
}

// DoneHeads builds the hidden layers once and k output layers on top of them ("output", "output_1", …), each of
// shape [batch, out]. Separate heads are how a conditioner returns a scale and a shift: slicing one wide output
// would need the Pad op in its gradient, which the pure-Go backend lacks.
func (b *MLPBuilder) DoneHeads(k int) []*Node {
	if b.x.Rank() != 2 {
		panic(fmt.Sprintf("nn.MLP: input must be [batch, features], got %s", b.x.Shape()))
	}
	if b.out <= 0 || k <= 0 {
		panic(fmt.Sprintf("nn.MLP: output width and number of heads must be positive, got %d and %d", b.out, k))
	}
	for _, w := range b.hidden {
		if w <= 0 {
			panic(fmt.Sprintf("nn.MLP: hidden widths must be positive, got %v", b.hidden))
		}
	}
	h := b.x
	for i, w := range b.hidden {
		h = Activate(b.activation, HiddenDense(b.ctx.Inf("hidden_%d", i), h, w))
	}
	heads := make([]*Node, k)
	for i := range heads {
		name := "output"
		if i > 0 {
			name = fmt.Sprintf("output_%d", i)
		}
		last := b.ctx.In(name)
		if b.zeroLast {
			last = last.WithInitializer(initializers.Zero)
		}
		heads[i] = Dense(last, h, b.out)
	}
	return heads
}
