package bijectors

import (
	"fmt"
	"math"

	"github.com/flowsgo/flows/flowlib"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// Affine is the elementwise affine map x = z·exp(s) + t, with log-determinant Σ_d s_d (the same for every
// example). Both directions are cheap. With trainable parameters (the default) s and t are variables "log_scale"
// and "shift" of shape [1, D] that start at the values given (zero by default: the identity).
type Affine struct {
	dim             int
	logScale, shift []float64
	trainable       bool
}

// NewAffine returns a trainable elementwise affine map on R^dim that starts as the identity.
func NewAffine(dim int) *Affine {
	if dim < 1 {
		panic(fmt.Sprintf("bijectors.NewAffine: dim must be ≥ 1, got %d", dim))
	}
	return &Affine{dim: dim, logScale: make([]float64, dim), shift: make([]float64, dim), trainable: true}
}

// FixedAffine returns the map x = scale·z + shift with fixed (non-trainable) parameters. It returns an error if the
// lengths differ, or a scale is zero, negative or not finite.
func FixedAffine(scale, shift []float64) (*Affine, error) {
	a, err := affineFrom(scale, shift)
	if err != nil {
		return nil, fmt.Errorf("bijectors.FixedAffine: %w", err)
	}
	a.trainable = false
	return a, nil
}

// WithInit sets the starting values of a trainable Affine: x = scale·z + shift. It panics on bad values (see
// [FixedAffine]).
func (a *Affine) WithInit(scale, shift []float64) *Affine {
	b, err := affineFrom(scale, shift)
	if err != nil {
		panic("bijectors.Affine.WithInit: " + err.Error())
	}
	b.trainable = a.trainable
	return b
}

func affineFrom(scale, shift []float64) (*Affine, error) {
	if len(scale) == 0 || len(scale) != len(shift) {
		return nil, fmt.Errorf("scale and shift must be non-empty and of equal length, got %d and %d", len(scale), len(shift))
	}
	a := &Affine{dim: len(scale), logScale: make([]float64, len(scale)), shift: append([]float64(nil), shift...)}
	for i, s := range scale {
		if !(s > 0) || math.IsInf(s, 0) {
			return nil, fmt.Errorf("scale[%d] = %v, want a finite positive number", i, s)
		}
		if math.IsNaN(shift[i]) || math.IsInf(shift[i], 0) {
			return nil, fmt.Errorf("shift[%d] = %v, want a finite number", i, shift[i])
		}
		a.logScale[i] = math.Log(s)
	}
	return a, nil
}

func (a *Affine) params(scope *model.Scope, x *Node) (logScale, shift *Node) {
	if !a.trainable {
		return ConstAs(x, [][]float64{a.logScale}), ConstAs(x, [][]float64{a.shift})
	}
	g := x.Graph()
	logScale = scope.VariableWithValue("log_scale", [][]float32{toF32(a.logScale)}).NodeValue(g)
	shift = scope.VariableWithValue("shift", [][]float32{toF32(a.shift)}).NodeValue(g)
	return ConvertDType(logScale, x.DType()), ConvertDType(shift, x.DType())
}

// Forward implements flowlib.Bijector.
func (a *Affine) Forward(scope *model.Scope, z *Node) (*Node, *Node) {
	flowlib.CheckPoints("bijectors.Affine.Forward", z, a.dim)
	s, t := a.params(scope, z)
	x := Add(Mul(z, Exp(s)), t)
	return x, batchLogDet(z, s)
}

// Inverse implements flowlib.Bijector.
func (a *Affine) Inverse(scope *model.Scope, x *Node) (*Node, *Node) {
	flowlib.CheckPoints("bijectors.Affine.Inverse", x, a.dim)
	s, t := a.params(scope, x)
	z := Mul(Sub(x, t), Exp(Neg(s)))
	return z, Neg(batchLogDet(x, s))
}

// Name implements flowlib.Named.
func (a *Affine) Name() string {
	kind := "trainable"
	if !a.trainable {
		kind = "fixed"
	}
	return fmt.Sprintf("Affine(dim=%d, %s)", a.dim, kind)
}

// batchLogDet broadcasts Σ_d s_d (s of shape [1, D]) to shape [batch] of x.
func batchLogDet(x, s *Node) *Node {
	return Add(ReduceSum(ZerosLike(x), 1), ReduceAllSum(s))
}

func toF32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}
