package flowlib

import (
	"fmt"
	"math"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// Distribution is a base density a flow starts from.
type Distribution interface {
	// LogProb returns log p(z) per example, shape [batch], for z of shape [batch, Dim()].
	LogProb(z *Node) *Node
	// Sample draws n points, shape [n, Dim()], using the store's random number generator.
	Sample(scope *model.Scope, g *Graph, n int) *Node
	// Dim is the dimension of the points.
	Dim() int
}

// StandardNormal is the D-dimensional N(0, I): log p(z) = −½‖z‖² − (D/2)·log 2π.
type StandardNormal struct{ D int }

// LogProb implements [Distribution].
func (s StandardNormal) LogProb(z *Node) *Node {
	CheckPoints("flowlib.StandardNormal.LogProb", z, s.D)
	return AddScalar(MulScalar(ReduceSum(Square(z), 1), -0.5), -0.5*float64(s.D)*math.Log(2*math.Pi))
}

// Sample implements [Distribution].
func (s StandardNormal) Sample(scope *model.Scope, g *Graph, n int) *Node {
	return scope.RandomNormal(g, shapes.Make(DType, n, s.D))
}

// Dim implements [Distribution].
func (s StandardNormal) Dim() int { return s.D }

// DType is the floating-point type models compute in.
const DType = dtypes.Float32

// Flow is a base distribution pushed through a bijector: x = Bijector.Forward(z), z ~ Base.
type Flow struct {
	Base     Distribution
	Bijector Bijector
}

// NewFlow returns the flow that pushes a D-dimensional standard normal through Chain(bs...).
// It panics if dim < 1.
func NewFlow(dim int, bs ...Bijector) *Flow {
	if dim < 1 {
		panic(fmt.Sprintf("flowlib.NewFlow: dim must be ≥ 1, got %d", dim))
	}
	return &Flow{Base: StandardNormal{D: dim}, Bijector: Chain(bs...)}
}

// Dim is the dimension of the flow's points.
func (f *Flow) Dim() int { return f.Base.Dim() }

// LogProb returns log p(x) = log p_Z(f⁻¹(x)) + log|det ∂f⁻¹/∂x| per example, shape [batch], for x of shape [batch, D].
func (f *Flow) LogProb(scope *model.Scope, x *Node) *Node {
	CheckPoints("flowlib.Flow.LogProb", x, f.Dim())
	z, logDet := f.Bijector.Inverse(scope, x)
	return Add(f.Base.LogProb(z), logDet)
}

// NLL returns the mean negative log-likelihood −(1/B)·Σ log p(x_b), a scalar: the loss flows are trained on.
func (f *Flow) NLL(scope *model.Scope, x *Node) *Node {
	return Neg(ReduceAllMean(f.LogProb(scope, x)))
}

// Sample draws n points x = f(z), z ~ base; shape [n, D].
func (f *Flow) Sample(scope *model.Scope, g *Graph, n int) *Node {
	x, _ := f.SampleAndLogProb(scope, g, n)
	return x
}

// SampleAndLogProb draws n points and returns them with their log-density, log p(x) = log p_Z(z) − log|det ∂f/∂z|,
// computed in the forward pass alone (no inverse needed).
func (f *Flow) SampleAndLogProb(scope *model.Scope, g *Graph, n int) (x, logProb *Node) {
	if n < 1 {
		panic(fmt.Sprintf("flowlib.Flow.Sample: n must be ≥ 1, got %d", n))
	}
	z := f.Base.Sample(scope, g, n)
	x, logDet := f.Bijector.Forward(scope, z)
	return x, Sub(f.Base.LogProb(z), logDet)
}
