// Package nn holds the small neural networks that flow layers use as conditioners: a dense layer, and a
// multi-layer perceptron whose last layer starts at zero.
//
// Usage:
//
//	h := nn.MLP(scope.At("conditioner"), x, 2*d).Hidden(64, 64).Activation("relu").Done()
package nn

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
)

// Dense returns x·W + b for x of shape [batch, in], with W of shape [in, out] and b of shape [1, out] held in scope
// as variables "weights" and "biases". Weights start from scope's initializer; biases start at zero. Output layers
// use it with a zero initializer (see [MLPBuilder.ZeroLast]); hidden layers should use [HiddenDense].
func Dense(scope *model.Scope, x *Node, out int) *Node {
	return dense(scope, x, out, initializer.Zero)
}

// HiddenDense is [Dense] for hidden layers, initialised as PyTorch's nn.Linear is: weights and biases uniform in
// ±1/√in. Two reasons, both measured on chapter 5's RealNVP (bench/README.md): He-normal weights (std √(2/in),
// GoMLX's default) are 2.4× larger and made training slow and seed-dependent (held-out NLL 1.34 mean over five
// seeds against 1.24); and zero biases would make every ReLU of a 2D conditioner's first layer bend at the same
// point (input 0), so the network would start as a function with a single kink.
func HiddenDense(scope *model.Scope, x *Node, out int) *Node {
	init := HiddenInit(scope, x.Shape().Dim(x.Rank()-1))
	return dense(scope.WithInitializer(init), x, out, init)
}

// HiddenInit is the initializer of [HiddenDense]'s weights and biases for a layer with fanIn inputs: uniform in
// ±1/√fanIn.
func HiddenInit(scope *model.Scope, fanIn int) model.VariableInitializer {
	lim := 1 / math.Sqrt(float64(max(fanIn, 1)))
	return initializer.RandomUniformFn(scope, -lim, lim)
}

// dense is [Dense] with the given bias initializer.
func dense(scope *model.Scope, x *Node, out int, biasInit model.VariableInitializer) *Node {
	if x.Rank() != 2 {
		panic(fmt.Sprintf("nn.Dense: input must be [batch, features], got %s", x.Shape()))
	}
	w := scope.VariableWithShape("weights", shapes.Make(x.DType(), x.Shape().Dim(1), out)).NodeValue(x.Graph())
	b := scope.WithInitializer(biasInit).VariableWithShape("biases", shapes.Make(x.DType(), 1, out)).NodeValue(x.Graph())
	return Add(DotProduct(x, w), b)
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
	scope      *model.Scope
	x          *Node
	out        int
	hidden     []int
	activation string
	zeroLast   bool
	lastScale  float64 // > 0: the last layer starts at U(±lastScale/√fan_in) instead of zero
}

// MLP starts a perceptron that maps x of shape [batch, in] to [batch, out]. Defaults: two hidden layers of 64,
// ReLU, and a last layer initialised to zero, so the network outputs exactly 0 until it is trained — which is what
// makes every flow layer start as the identity.
func MLP(scope *model.Scope, x *Node, out int) *MLPBuilder {
	return &MLPBuilder{scope: scope, x: x, out: out, hidden: []int{64, 64}, activation: "relu", zeroLast: true}
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

// LastInit makes the last layer start random, weights and biases uniform in ±scale/√fan_in (scale 1 is
// PyTorch's nn.Linear default), instead of at zero; scale 0 restores the zero start. The network then no longer
// starts at 0, so a flow layer built on it no longer starts as the identity.
func (b *MLPBuilder) LastInit(scale float64) *MLPBuilder {
	b.lastScale = scale
	return b
}

// Done builds the network and returns its output, of shape [batch, out].
func (b *MLPBuilder) Done() *Node {
	return b.DoneHeads(1)[0]
}

// DoneHeads builds the hidden layers once and k output layers on top of them ("output", "output_1", …), each of
// shape [batch, out]: a conditioner's scale and shift come from separate heads, so each has its own weights.
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
		h = Activate(b.activation, HiddenDense(b.scope.At("hidden_%d", i), h, w))
	}
	heads := make([]*Node, k)
	for i := range heads {
		name := "output"
		if i > 0 {
			name = fmt.Sprintf("output_%d", i)
		}
		last := b.scope.At("%s", name)
		switch {
		case b.lastScale > 0:
			lim := b.lastScale / math.Sqrt(float64(max(h.Shape().Dim(1), 1)))
			init := initializer.RandomUniformFn(last, -lim, lim)
			heads[i] = dense(last.WithInitializer(init), h, b.out, init)
			continue
		case b.zeroLast:
			last = last.WithInitializer(initializer.Zero)
		}
		heads[i] = Dense(last, h, b.out)
	}
	return heads
}
