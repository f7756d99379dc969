package bijectors

import (
	"fmt"
	"math"
	"slices"

	"github.com/flowsgo/flows/flowlib/nn"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// Conditioner configures the network inside a coupling layer: an MLP with these hidden widths and activation whose
// output layers start at zero.
type Conditioner struct {
	Hidden     []int
	Activation string
	// HeadInit, when > 0, starts the output layers random, uniform in ±HeadInit/√fan_in, instead of at zero: the
	// layer then does not start as the identity.
	HeadInit float64
}

// DefaultConditioner is two hidden layers of 64 with ReLU.
var DefaultConditioner = Conditioner{Hidden: []int{64, 64}, Activation: "relu"}

// AffineCoupling is the RealNVP coupling layer (Dinh, Sohl-Dickstein & Bengio, "Density estimation using Real NVP",
// 2016, arXiv:1605.08803). With a binary mask m (1 = kept), in the density direction (data → base):
//
//	z = m⊙x + (1−m)⊙(x·exp(s) + t),   s = exp(γ)⊙tanh(ŝ),   (ŝ, t) = NN(m⊙x)
//	log|det ∂z/∂x| = Σ_d (1−m_d)·s_d
//
// The kept half passes unchanged and is all the network sees, so the Jacobian is triangular, the determinant is a
// product of scales, and the other direction, x = m⊙z + (1−m)⊙((z − t)·exp(−s)), is closed form however complex NN
// is. Both directions cost one network evaluation.
//
// The network parametrises the density direction, the one training differentiates, as the density-estimation
// libraries nflows and zuko do: the shift t is measured in base units. The log-scale is a tanh times a trainable
// per-coordinate bound exp(γ), as in the RealNVP paper: bounded for stable early training, free to grow where the
// data needs it. γ starts at log B (ScaleBound, default 1); the network's output layers start at zero, so the layer
// starts as the identity.
type AffineCoupling struct {
	mask        []bool
	conditioner Conditioner
	scaleBound  float64
	additive    bool
}

// NewAffineCoupling returns a RealNVP coupling layer with the given mask (true = kept) and the default conditioner.
// It panics unless the mask keeps at least one coordinate and transforms at least one.
func NewAffineCoupling(mask []bool) *AffineCoupling {
	checkMask("bijectors.NewAffineCoupling", mask)
	return &AffineCoupling{mask: slices.Clone(mask), conditioner: DefaultConditioner, scaleBound: 1}
}

// NewAdditiveCoupling returns a NICE coupling layer (Dinh, Krueger & Bengio, "NICE", 2014, arXiv:1410.8516):
// x = m⊙z + (1−m)⊙(z + t(m⊙z)). It preserves volume: its log-determinant is 0.
func NewAdditiveCoupling(mask []bool) *AffineCoupling {
	c := NewAffineCoupling(mask)
	c.additive = true
	return c
}

// Hidden sets the conditioner's hidden widths.
func (c *AffineCoupling) Hidden(widths ...int) *AffineCoupling {
	c.conditioner.Hidden = slices.Clone(widths)
	return c
}

// Activation sets the conditioner's activation (see nn.Activations).
func (c *AffineCoupling) Activation(name string) *AffineCoupling {
	c.conditioner.Activation = name
	return c
}

// WithConditioner sets the whole conditioner configuration.
func (c *AffineCoupling) WithConditioner(cond Conditioner) *AffineCoupling {
	c.conditioner = Conditioner{Hidden: slices.Clone(cond.Hidden), Activation: cond.Activation, HeadInit: cond.HeadInit}
	return c
}

// ScaleBound sets the initial bound B on the log-scale, exp(γ) = B at the start (must be > 0).
func (c *AffineCoupling) ScaleBound(b float64) *AffineCoupling {
	if !(b > 0) {
		panic(fmt.Sprintf("bijectors.AffineCoupling.ScaleBound: want B > 0, got %v", b))
	}
	c.scaleBound = b
	return c
}

// Mask returns a copy of the mask (true = kept).
func (c *AffineCoupling) Mask() []bool { return slices.Clone(c.mask) }

// scaleShift returns (1−m)⊙s and (1−m)⊙t computed from the kept part m⊙x.
func (c *AffineCoupling) scaleShift(scope *model.Scope, x *Node) (s, t *Node) {
	if x.Rank() != 2 || x.Shape().Dim(1) != len(c.mask) {
		panic(fmt.Sprintf("bijectors.AffineCoupling: want input of shape [batch, %d], got %s", len(c.mask), x.Shape()))
	}
	m := maskConst(x, c.mask)
	free := OneMinus(m)
	mlp := nn.MLP(scope.At("conditioner"), Mul(x, m), len(c.mask)).
		Hidden(c.conditioner.Hidden...).Activation(c.conditioner.Activation).LastInit(c.conditioner.HeadInit)
	if c.additive {
		return ZerosLike(x), Mul(free, mlp.Done())
	}
	heads := mlp.DoneHeads(2)
	logBound := make([]float32, len(c.mask))
	for i := range logBound {
		logBound[i] = float32(math.Log(c.scaleBound))
	}
	gamma := scope.VariableWithValue("log_scale_bound", [][]float32{logBound}).NodeValue(x.Graph())
	s = Mul(Exp(ConvertDType(gamma, x.DType())), Tanh(heads[0]))
	return Mul(free, s), Mul(free, heads[1])
}

// Forward implements flowlib.Bijector: x = m⊙z + (1−m)⊙((z − t)·exp(−s)).
func (c *AffineCoupling) Forward(scope *model.Scope, z *Node) (*Node, *Node) {
	s, t := c.scaleShift(scope, z)
	return Mul(Sub(z, t), Exp(Neg(s))), Neg(sumPerExample(s))
}

// Inverse implements flowlib.Bijector: z = m⊙x + (1−m)⊙(x·exp(s) + t), the direction training differentiates.
func (c *AffineCoupling) Inverse(scope *model.Scope, x *Node) (*Node, *Node) {
	s, t := c.scaleShift(scope, x)
	return Add(Mul(x, Exp(s)), t), sumPerExample(s)
}

// Name implements flowlib.Named.
func (c *AffineCoupling) Name() string {
	kind := "AffineCoupling"
	if c.additive {
		kind = "AdditiveCoupling"
	}
	return fmt.Sprintf("%s(mask=%s, hidden=%v, %s)", kind, maskString(c.mask), c.conditioner.Hidden, c.conditioner.Activation)
}

func maskString(mask []bool) string {
	b := make([]byte, len(mask))
	for i, k := range mask {
		b[i] = '0'
		if k {
			b[i] = '1'
		}
	}
	return string(b)
}
