package flowlib

import (
	"fmt"

	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// Bijector is an invertible map with a tractable log-determinant; see the package doc for the contract.
type Bijector interface {
	// Forward maps base → data: x = f(z), logDet = log|det ∂f/∂z| per example ([batch]).
	Forward(scope *model.Scope, z *Node) (x, logDet *Node)
	// Inverse maps data → base: z = f⁻¹(x), logDet = log|det ∂f⁻¹/∂x| per example ([batch]).
	Inverse(scope *model.Scope, x *Node) (z, logDet *Node)
}

// Named is implemented by bijectors that describe themselves in one line, used by [Describe].
type Named interface {
	Name() string
}

// Chain composes bijectors: Forward applies bs[0] first, Inverse applies the last one's inverse first, and the
// log-determinants add up: log|det J_{b_n∘…∘b_0}| = Σ_i log|det J_{b_i}|. Element i keeps its variables under scope
// "layer_i".
func Chain(bs ...Bijector) *ChainBijector {
	for i, b := range bs {
		if b == nil {
			panic(fmt.Sprintf("flowlib.Chain: bijector %d is nil", i))
		}
	}
	return &ChainBijector{Layers: bs}
}

// ChainBijector is the composition built by [Chain].
type ChainBijector struct {
	Layers []Bijector
}

// LayerScope is the scope of element i of a chain.
func LayerScope(scope *model.Scope, i int) *model.Scope { return scope.At("layer_%d", i) }

// Forward implements [Bijector].
func (c *ChainBijector) Forward(scope *model.Scope, z *Node) (*Node, *Node) {
	x, logDet := z, zeroLogDet(z)
	for i, b := range c.Layers {
		var ld *Node
		x, ld = b.Forward(LayerScope(scope, i), x)
		logDet = Add(logDet, ld)
	}
	return x, logDet
}

// Inverse implements [Bijector].
func (c *ChainBijector) Inverse(scope *model.Scope, x *Node) (*Node, *Node) {
	z, logDet := x, zeroLogDet(x)
	for i := len(c.Layers) - 1; i >= 0; i-- {
		var ld *Node
		z, ld = c.Layers[i].Inverse(LayerScope(scope, i), z)
		logDet = Add(logDet, ld)
	}
	return z, logDet
}

// ForwardSteps returns the intermediate values of Forward: steps[0] = z, steps[i+1] = output of layer i.
// Notebooks draw them as a filmstrip.
func (c *ChainBijector) ForwardSteps(scope *model.Scope, z *Node) []*Node {
	steps := []*Node{z}
	for i, b := range c.Layers {
		z, _ = b.Forward(LayerScope(scope, i), z)
		steps = append(steps, z)
	}
	return steps
}

// InverseSteps returns the intermediate values of Inverse: steps[0] = x, steps[k] = the value after k inverse layers
// (the last layer is undone first).
func (c *ChainBijector) InverseSteps(scope *model.Scope, x *Node) []*Node {
	steps := []*Node{x}
	for i := len(c.Layers) - 1; i >= 0; i-- {
		x, _ = c.Layers[i].Inverse(LayerScope(scope, i), x)
		steps = append(steps, x)
	}
	return steps
}

// Name implements [Named].
func (c *ChainBijector) Name() string { return fmt.Sprintf("Chain(%d layers)", len(c.Layers)) }

// Invert swaps a bijector's directions: Invert(b).Forward is b.Inverse and vice versa. IAF is Invert(MAF layer).
func Invert(b Bijector) Bijector {
	if inv, ok := b.(inverted); ok {
		return inv.b
	}
	return inverted{b}
}

type inverted struct{ b Bijector }

func (i inverted) Forward(scope *model.Scope, z *Node) (*Node, *Node) { return i.b.Inverse(scope, z) }
func (i inverted) Inverse(scope *model.Scope, x *Node) (*Node, *Node) { return i.b.Forward(scope, x) }
func (i inverted) Name() string                                       { return "Invert(" + Describe(i.b) + ")" }

// Describe returns a bijector's one-line name: its Name() when it has one, else its Go type.
func Describe(b Bijector) string {
	if n, ok := b.(Named); ok {
		return n.Name()
	}
	return fmt.Sprintf("%T", b)
}

// zeroLogDet returns zeros of shape [batch] for x of shape [batch, ...].
func zeroLogDet(x *Node) *Node {
	return Zeros(x.Graph(), shapes.Make(x.DType(), x.Shape().Dim(0)))
}

// CheckPoints panics unless x has shape [batch, dim]; bijectors call it where the user's call is, so the trace
// points at their code. who names the caller, e.g. "bijectors.Affine.Forward".
func CheckPoints(who string, x *Node, dim int) {
	if x.Rank() != 2 || x.Shape().Dim(1) != dim {
		panic(fmt.Sprintf("%s: want input of shape [batch, %d], got %s", who, dim, x.Shape()))
	}
}
