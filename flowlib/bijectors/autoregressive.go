package bijectors

import (
	"fmt"
	"slices"

	"github.com/flowsgo/flows/flowlib"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// MaskedAutoregressive is an autoregressive flow layer: each coordinate is transformed by an elementwise monotone
// map τ whose parameters depend on the coordinates before it, all computed by one [MADE] network:
//
//	x_d = τ(z_d; θ_d(x_1, …, x_{d−1}))        (Forward, base → data)
//	z_d = τ⁻¹(x_d; θ_d(x_1, …, x_{d−1}))      (Inverse, data → base)
//	log|det ∂x/∂z| = Σ_d log τ'(z_d)           (the Jacobian is triangular)
//
// The conditioner reads x, so the two directions cost differently:
//
//   - Inverse (density) is one pass: x is known, so MADE gives every θ_d at once.
//   - Forward (sampling) is D sequential passes: x_d needs x_1…x_{d−1} first. The graph iterates
//     x ← τ(z; θ(x)) D times; after pass d the first d coordinates are exact (MADE's masks guarantee it),
//     and the result is the exact map, so its autodiff gradient is the exact gradient.
//
// With the affine τ(z) = z·exp(s) + t this is MAF (Papamakarios, Pavlakou & Murray, "Masked Autoregressive Flow for
// Density Estimation", 2017, arXiv:1705.07057): fast density, slow sampling — right for density estimation.
// flowlib.Invert of it is IAF (Kingma et al., "Improved Variational Inference with Inverse Autoregressive Flow",
// 2016, arXiv:1606.04934): fast sampling, slow density — right for variational posteriors, where only the density of
// its own samples is needed ([flowlib.Flow.SampleAndLogProb] does that in one pass). With the rational-quadratic
// spline τ ([RQSpline]) it is the autoregressive neural spline flow (Durkan et al. 2019, arXiv:1906.04032).
//
// Order: coordinate d depends on coordinates before it in the natural order; put a [Permute] between layers so
// every coordinate gets conditioned on the others. MADE's output layers start at zero: the layer starts as the
// identity.
type MaskedAutoregressive struct {
	dim        int
	hidden     []int
	activation string
	tau        transformer
}

// NewMAF returns an affine masked autoregressive layer on R^dim (MAF) with a MADE of two hidden layers of 64, ReLU,
// and log-scales bounded by 3 (s = 3·tanh(ŝ/3)). Wrap it in flowlib.Invert for IAF.
func NewMAF(dim int) *MaskedAutoregressive {
	if dim < 1 {
		panic(fmt.Sprintf("bijectors.NewMAF: dim must be ≥ 1, got %d", dim))
	}
	return &MaskedAutoregressive{dim: dim, hidden: []int{64, 64}, activation: "relu", tau: affineTransformer{scaleBound: 3}}
}

// NewIAF returns flowlib.Invert(NewMAF(dim)) configured by cfg (nil for the defaults): an inverse autoregressive
// layer, whose Forward (sampling) is one pass and Inverse (density) is dim passes.
func NewIAF(dim int, cfg func(*MaskedAutoregressive)) flowlib.Bijector {
	m := NewMAF(dim)
	if cfg != nil {
		cfg(m)
	}
	return flowlib.Invert(m)
}

// NewSplineAutoregressive returns a masked autoregressive layer on R^dim whose transformer is a rational-quadratic
// spline with the given bins on [−bound, bound] and identity tails. It panics when bins < 2 or bound ≤ 0.
func NewSplineAutoregressive(dim, bins int, bound float64) *MaskedAutoregressive {
	checkSpline("bijectors.NewSplineAutoregressive", bins, bound)
	m := NewMAF(dim)
	m.tau = splineTransformer{bins: bins, bound: bound}
	return m
}

// Hidden sets MADE's hidden widths.
func (m *MaskedAutoregressive) Hidden(widths ...int) *MaskedAutoregressive {
	m.hidden = slices.Clone(widths)
	return m
}

// Activation sets MADE's hidden activation (see nn.Activations).
func (m *MaskedAutoregressive) Activation(name string) *MaskedAutoregressive {
	m.activation = name
	return m
}

// WithConditioner sets MADE's hidden widths and activation.
func (m *MaskedAutoregressive) WithConditioner(c Conditioner) *MaskedAutoregressive {
	return m.Hidden(c.Hidden...).Activation(c.Activation)
}

// ScaleBound sets B in s = B·tanh(ŝ/B) of the affine transformer (no effect on a spline layer).
func (m *MaskedAutoregressive) ScaleBound(b float64) *MaskedAutoregressive {
	if !(b > 0) {
		panic(fmt.Sprintf("bijectors.MaskedAutoregressive.ScaleBound: want B > 0, got %v", b))
	}
	if a, ok := m.tau.(affineTransformer); ok {
		a.scaleBound = b
		m.tau = a
	}
	return m
}

func (m *MaskedAutoregressive) params(scope *model.Scope, x *Node) []*Node {
	return MADE{Dim: m.dim, Hidden: m.hidden, Activation: m.activation}.Heads(scope.At("made"), x, m.tau.sizes()...)
}

// Forward implements flowlib.Bijector: dim sequential passes of MADE.
func (m *MaskedAutoregressive) Forward(scope *model.Scope, z *Node) (*Node, *Node) {
	flowlib.CheckPoints("bijectors.MaskedAutoregressive.Forward", z, m.dim)
	x := z // any start works: pass d fixes coordinate d.
	var logDeriv *Node
	for range m.dim {
		x, logDeriv = m.tau.forward(z, m.params(scope, x))
	}
	return x, sumPerExample(logDeriv)
}

// Inverse implements flowlib.Bijector: one pass of MADE.
func (m *MaskedAutoregressive) Inverse(scope *model.Scope, x *Node) (*Node, *Node) {
	flowlib.CheckPoints("bijectors.MaskedAutoregressive.Inverse", x, m.dim)
	z, logDeriv := m.tau.inverse(x, m.params(scope, x))
	return z, sumPerExample(logDeriv)
}

// Name implements flowlib.Named.
func (m *MaskedAutoregressive) Name() string {
	kind := "MAF"
	if _, ok := m.tau.(splineTransformer); ok {
		kind = "SplineAutoregressive"
	}
	return fmt.Sprintf("%s(dim=%d, %s, MADE hidden=%v, %s)", kind, m.dim, m.tau.describe(), m.hidden, m.activation)
}
