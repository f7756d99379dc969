package bijectors

import (
	"fmt"
	"slices"

	"github.com/flowsgo/flows/flowlib"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// ScaleShiftFunc computes a coupling layer's log-scale s and shift t from the kept part of the input: kept is
// m⊙x, of shape [batch, D], with the transformed coordinates zeroed. It returns s and t of shape [batch, D], or
// of a shape that broadcasts to it with the same rank (e.g. [batch, 1] or [1, D]); their values at the kept
// coordinates are ignored.
type ScaleShiftFunc func(kept *Node) (logScale, shift *Node)

// FuncCoupling is an affine coupling layer whose log-scale and shift are hand-written graph functions instead of
// a trained network — the same algebra as [AffineCoupling], with nothing hidden, for teaching and for tests.
// With a binary mask m (1 = kept):
//
//	x = m⊙z + (1−m)⊙(z·exp(s) + t),   (s, t) = F(m⊙z)
//	log|det ∂x/∂z| = Σ_d (1−m_d)·s_d
//	z = m⊙x + (1−m)⊙((x − t)·exp(−s)),   (s, t) = F(m⊙x)
//
// The inverse evaluates F on m⊙x = m⊙z, which the layer left untouched, so it is closed form whatever F is: F need
// not be invertible, or even continuous. The layer has no variables.
type FuncCoupling struct {
	mask []bool
	fn   ScaleShiftFunc
	name string
}

// NewFuncCoupling returns the coupling layer with the given mask (true = kept) and log-scale/shift function. It
// panics unless the mask keeps at least one coordinate and transforms at least one, or if fn is nil.
func NewFuncCoupling(mask []bool, fn ScaleShiftFunc) *FuncCoupling {
	checkMask("bijectors.NewFuncCoupling", mask)
	if fn == nil {
		panic("bijectors.NewFuncCoupling: fn is nil")
	}
	return &FuncCoupling{mask: slices.Clone(mask), fn: fn}
}

// Named sets the description [FuncCoupling.Name] shows, e.g. "bend(a=0.5)".
func (c *FuncCoupling) Named(name string) *FuncCoupling { c.name = name; return c }

// Mask returns a copy of the mask (true = kept).
func (c *FuncCoupling) Mask() []bool { return slices.Clone(c.mask) }

// scaleShift returns (1−m)⊙s and (1−m)⊙t, broadcast to x's shape.
func (c *FuncCoupling) scaleShift(who string, x *Node) (s, t *Node) {
	flowlib.CheckPoints(who, x, len(c.mask))
	m := maskConst(x, c.mask)
	free := OneMinus(m)
	s, t = c.fn(Mul(x, m))
	if s == nil || t == nil {
		panic(fmt.Sprintf("%s: the ScaleShiftFunc returned a nil node", who))
	}
	for _, v := range []struct {
		name string
		n    *Node
	}{{"log-scale", s}, {"shift", t}} {
		if v.n.Rank() != 2 {
			panic(fmt.Sprintf("%s: the ScaleShiftFunc's %s must have rank 2 (shape [batch, %d] or broadcastable), got %s",
				who, v.name, len(c.mask), v.n.Shape()))
		}
	}
	zeros := ZerosLike(x) // Broadcasts [batch, 1] or [1, D] results to [batch, D].
	return Mul(free, Add(zeros, s)), Mul(free, Add(zeros, t))
}

// Forward implements flowlib.Bijector.
func (c *FuncCoupling) Forward(_ *model.Scope, z *Node) (*Node, *Node) {
	s, t := c.scaleShift("bijectors.FuncCoupling.Forward", z)
	return Add(Mul(z, Exp(s)), t), sumPerExample(s)
}

// Inverse implements flowlib.Bijector.
func (c *FuncCoupling) Inverse(_ *model.Scope, x *Node) (*Node, *Node) {
	s, t := c.scaleShift("bijectors.FuncCoupling.Inverse", x)
	return Mul(Sub(x, t), Exp(Neg(s))), Neg(sumPerExample(s))
}

// Name implements flowlib.Named.
func (c *FuncCoupling) Name() string {
	name := c.name
	if name == "" {
		name = "custom"
	}
	return fmt.Sprintf("FuncCoupling(mask=%s, %s)", maskString(c.mask), name)
}
