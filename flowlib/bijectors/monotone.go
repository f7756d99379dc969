package bijectors

import (
	"fmt"
	"math"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// ScalarFn is an elementwise, strictly increasing function given as a graph function. It may create variables in
// scope (then it is trainable), and must act on each element independently.
type ScalarFn func(scope *model.Scope, z *Node) *Node

// Monotone is the elementwise bijector x_d = f(z_d) for a strictly increasing f. Its log-determinant
// Σ_d log f'(z_d) uses f' from GoMLX autodiff, so only f itself must be written. Forward is cheap; Inverse solves
// f(z) = x numerically: it brackets the root by doubling steps, then runs safeguarded Newton iterations (a Newton
// step that leaves the bracket is replaced by bisection), which converges for any increasing f. Gradients of the
// inverse come from the implicit function theorem (∂z/∂x = 1/f'(z), ∂z/∂θ = −(∂f/∂θ)/f'(z)), not from unrolling the
// solver.
type Monotone struct {
	F    ScalarFn
	name string
	// Iterations of the safeguarded Newton solve in Inverse (default 60: enough to reach float32 precision from a
	// bracket of width 2^40 by bisection alone).
	Iterations int
}

// NewMonotone wraps a strictly increasing elementwise f. name is used in summaries.
func NewMonotone(name string, f ScalarFn) *Monotone {
	if f == nil {
		panic("bijectors.NewMonotone: f must not be nil")
	}
	return &Monotone{F: f, name: name, Iterations: 60}
}

// Name implements flowlib.Named.
func (m *Monotone) Name() string { return m.name }

// Derivative returns f'(z) elementwise, from autodiff.
func (m *Monotone) Derivative(scope *model.Scope, z *Node) *Node {
	return Gradient(ReduceAllSum(m.F(scope, z)), z)[0]
}

// Forward implements flowlib.Bijector.
func (m *Monotone) Forward(scope *model.Scope, z *Node) (*Node, *Node) {
	checkRank2("bijectors.Monotone.Forward", z)
	x := m.F(scope, z)
	return x, sumPerExample(Log(m.Derivative(scope, z)))
}

// Inverse implements flowlib.Bijector.
func (m *Monotone) Inverse(scope *model.Scope, x *Node) (*Node, *Node) {
	checkRank2("bijectors.Monotone.Inverse", x)
	zStar := StopGradient(m.solve(scope, StopGradient(x)))
	// Implicit-function correction: its value is zStar − (≈0), its gradient the one of the exact inverse.
	fPrime := StopGradient(m.Derivative(scope, zStar))
	z := Sub(zStar, Div(Sub(m.F(scope, zStar), x), fPrime))
	return z, Neg(sumPerExample(Log(m.Derivative(scope, z))))
}

// solve finds z with f(z) = x elementwise.
func (m *Monotone) solve(scope *model.Scope, x *Node) *Node {
	f := func(z *Node) *Node { return StopGradient(m.F(scope, z)) }
	// Bracket: lo ≤ root ≤ hi, widening by doubling steps (up to 2^40).
	one := OnesLike(x)
	lo, hi := Sub(x, one), Add(x, one)
	stepLo, stepHi := one, one
	for range 40 {
		tooHigh := GreaterThan(f(lo), x)
		lo = Where(tooHigh, Sub(lo, stepLo), lo)
		stepLo = Where(tooHigh, MulScalar(stepLo, 2), stepLo)
		tooLow := LessThan(f(hi), x)
		hi = Where(tooLow, Add(hi, stepHi), hi)
		stepHi = Where(tooLow, MulScalar(stepHi, 2), stepHi)
	}
	z := MulScalar(Add(lo, hi), 0.5)
	for range m.Iterations {
		r := Sub(f(z), x)
		lo = Where(LessThan(r, ZerosLike(r)), z, lo)
		hi = Where(GreaterThan(r, ZerosLike(r)), z, hi)
		d := StopGradient(m.Derivative(scope, z))
		newton := Sub(z, Div(r, d))
		inside := LogicalAnd(GreaterThan(newton, lo), LessThan(newton, hi))
		z = Where(inside, newton, MulScalar(Add(lo, hi), 0.5))
	}
	return z
}

// SineWarp returns the chapter-1 map f(z) = z + a·sin 2z. Its derivative 1 + 2a·cos 2z ≥ 1 − 2|a| is positive only
// for |a| < ½; for |a| ≥ ½ the map folds over itself and has no inverse, and SineWarp returns an error.
func SineWarp(a float64) (*Monotone, error) {
	if math.IsNaN(a) || math.Abs(a) >= 0.5 {
		return nil, fmt.Errorf("bijectors.SineWarp: a = %v makes f(z) = z + a·sin 2z non-invertible "+
			"(f'(z) = 1 + 2a·cos 2z must stay positive): want |a| < 0.5", a)
	}
	return NewMonotone(fmt.Sprintf("SineWarp(a=%g)", a), func(_ *model.Scope, z *Node) *Node {
		return Add(z, MulScalar(Sin(MulScalar(z, 2)), a))
	}), nil
}

// MustSineWarp is [SineWarp] for notebooks: it panics on error.
func MustSineWarp(a float64) *Monotone {
	m, err := SineWarp(a)
	if err != nil {
		panic(err)
	}
	return m
}

func checkRank2(who string, x *Node) {
	if x.Rank() != 2 {
		panic(fmt.Sprintf("%s: want input of shape [batch, D], got %s", who, x.Shape()))
	}
}
