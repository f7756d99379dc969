package bijectors

import (
	"fmt"
	"math"

	"github.com/flowsgo/flows/flowlib"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// SinhArcsinh is the elementwise sinh–arcsinh map of Jones & Pewsey (Biometrika, 2009):
//
//	x = sinh(δ·asinh(z) − ε),   dx/dz = δ·cosh(δ·asinh(z) − ε) / √(1 + z²)
//
// ε skews the density, δ > 0 sets the tails: for large |z|, |x| grows like |z|^δ, so δ < 1 gives lighter tails than
// the input and δ > 1 heavier ones (for Z ~ N(0, 1), excess kurtosis about −0.7 at δ = 0.5 and +1.7 at δ = 1.5,
// by Monte Carlo; chapter 2 prints it). Both directions are closed form:
// z = sinh((asinh(x) + ε)/δ). Trainable variables "skew" (ε) and "log_tail" (log δ), shape [1, D], start at 0: the
// identity.
type SinhArcsinh struct {
	dim           int
	skew, logTail []float64
}

// NewSinhArcsinh returns a trainable sinh–arcsinh map on R^dim that starts as the identity.
func NewSinhArcsinh(dim int) *SinhArcsinh {
	if dim < 1 {
		panic(fmt.Sprintf("bijectors.NewSinhArcsinh: dim must be ≥ 1, got %d", dim))
	}
	return &SinhArcsinh{dim: dim, skew: make([]float64, dim), logTail: make([]float64, dim)}
}

// WithInit sets the starting skew ε and tail δ (> 0) of every dimension.
func (s *SinhArcsinh) WithInit(skew, tail float64) *SinhArcsinh {
	if !(tail > 0) {
		panic(fmt.Sprintf("bijectors.SinhArcsinh.WithInit: tail must be > 0, got %v", tail))
	}
	out := NewSinhArcsinh(s.dim)
	for i := range out.skew {
		out.skew[i], out.logTail[i] = skew, math.Log(tail)
	}
	return out
}

func (s *SinhArcsinh) params(scope *model.Scope, x *Node) (eps, delta *Node) {
	g := x.Graph()
	eps = ConvertDType(scope.VariableWithValue("skew", [][]float32{toF32(s.skew)}).NodeValue(g), x.DType())
	logDelta := ConvertDType(scope.VariableWithValue("log_tail", [][]float32{toF32(s.logTail)}).NodeValue(g), x.DType())
	return eps, Exp(logDelta)
}

// Forward implements flowlib.Bijector.
func (s *SinhArcsinh) Forward(scope *model.Scope, z *Node) (*Node, *Node) {
	flowlib.CheckPoints("bijectors.SinhArcsinh.Forward", z, s.dim)
	eps, delta := s.params(scope, z)
	u := Sub(Mul(delta, asinh(z)), eps)
	logDer := Sub(Add(Log(delta), logCosh(u)), MulScalar(Log1p(Square(z)), 0.5))
	return sinh(u), sumPerExample(logDer)
}

// Inverse implements flowlib.Bijector.
func (s *SinhArcsinh) Inverse(scope *model.Scope, x *Node) (*Node, *Node) {
	flowlib.CheckPoints("bijectors.SinhArcsinh.Inverse", x, s.dim)
	eps, delta := s.params(scope, x)
	u := Div(Add(asinh(x), eps), delta)
	z := sinh(u)
	// dz/dx = cosh(u) / (δ·√(1 + x²)).
	logDer := Sub(Sub(logCosh(u), Log(delta)), MulScalar(Log1p(Square(x)), 0.5))
	return z, sumPerExample(logDer)
}

// Name implements flowlib.Named.
func (s *SinhArcsinh) Name() string { return fmt.Sprintf("SinhArcsinh(dim=%d)", s.dim) }

// asinh(z) = sign(z)·log(|z| + √(z² + 1)), written so that large negative z does not cancel.
func asinh(z *Node) *Node {
	a := Abs(z)
	return Mul(Sign(z), Log(Add(a, Sqrt(AddScalar(Square(a), 1)))))
}

// sinh(u) = (eᵘ − e⁻ᵘ)/2.
func sinh(u *Node) *Node { return MulScalar(Sub(Exp(u), Exp(Neg(u))), 0.5) }

// logCosh(u) = |u| + log(1 + e^{−2|u|}) − log 2, stable for large |u|.
func logCosh(u *Node) *Node {
	a := Abs(u)
	return AddScalar(Add(a, Log1p(Exp(MulScalar(a, -2)))), -0.6931471805599453)
}
