package bijectors

import (
	"fmt"
	"math"
	"slices"

	"github.com/flowsgo/flows/flowlib"
	"github.com/flowsgo/flows/flowlib/nn"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
)

// Smallest bin width, bin height (as fractions of the interval) and knot derivative of a rational-quadratic spline.
// They keep every bin invertible and every division safe however extreme the network's outputs become.
const (
	SplineMinBinWidth   = 1e-3
	SplineMinBinHeight  = 1e-3
	SplineMinDerivative = 1e-3
)

// RQSpline applies the monotone rational-quadratic spline of Durkan, Bekasov, Murray & Papamakarios ("Neural
// Spline Flows", 2019, arXiv:1906.04032) to every element of x, of shape [batch, D], with K bins on [−bound, bound]
// and identity tails outside it. The spline is given by unnormalised network outputs, each with K values per
// dimension laid out as in [MADE.Heads]:
//
//	widths  = w_min + (1 − K·w_min)·softmax(uw)        (uw: [batch, D·K]; bin widths, ×2·bound)
//	heights = h_min + (1 − K·h_min)·softmax(uh)        (uh: [batch, D·K]; bin heights, ×2·bound)
//	δ_k     = δ_min + softplus(ud_k + c),  k = 1…K−1    (ud: [batch, D·(K−1)]; interior knot derivatives)
//	δ_0 = δ_K = 1 (the tails are the identity, so the map is C¹ at ±bound); c makes δ = 1 when ud = 0
//
// In bin k, with ξ = (x − x_k)/w_k ∈ [0, 1] and s_k = h_k/w_k,
//
//	y = y_k + h_k·(s_k ξ² + δ_k ξ(1−ξ)) / (s_k + (δ_{k+1} + δ_k − 2s_k) ξ(1−ξ))
//	dy/dx = s_k² (δ_{k+1} ξ² + 2 s_k ξ(1−ξ) + δ_k (1−ξ)²) / (s_k + (δ_{k+1} + δ_k − 2s_k) ξ(1−ξ))²
//
// which is strictly increasing for positive widths, heights and derivatives — monotone by construction. The
// inverse (inverse = true) solves a quadratic in ξ in closed form, with the numerically stable root
// ξ = 2c / (−b − √(b² − 4ac)). It returns y and log|dy/dx| per element ([batch, D]; for the inverse, the log
// derivative of the inverse map). All-zero outputs give the identity.
//
// Numerics: bins never collapse below the minimum sizes above; the bin search uses comparisons (no gradient needed)
// on the input clamped to the interval, so points exactly at ±bound and far outside it are finite, and points
// outside take the identity branch. Gradients flow through every parameter with first-order ops only.
func RQSpline(x, uw, uh, ud *Node, bins int, bound float64, inverse bool) (y, logDeriv *Node) {
	if bins < 2 || !(bound > 0) || math.IsInf(bound, 0) {
		panic(fmt.Sprintf("bijectors.RQSpline: want bins ≥ 2 and a finite bound > 0, got bins = %d, bound = %v", bins, bound))
	}
	if x.Rank() != 2 {
		panic(fmt.Sprintf("bijectors.RQSpline: want x of shape [batch, D], got %s", x.Shape()))
	}
	b, d, k := x.Shape().Dim(0), x.Shape().Dim(1), bins
	for _, p := range []struct {
		name string
		node *Node
		per  int
	}{{"uw", uw, k}, {"uh", uh, k}, {"ud", ud, k - 1}} {
		if p.node.Rank() != 2 || p.node.Shape().Dim(0) != b || p.node.Shape().Dim(1) != d*p.per {
			panic(fmt.Sprintf("bijectors.RQSpline: want %s of shape [%d, %d], got %s", p.name, b, d*p.per, p.node.Shape()))
		}
	}
	n := b * d
	xf := Reshape(x, n)
	width := 2 * bound
	w := AddScalar(MulScalar(Softmax(Reshape(uw, n, k), 1), 1-float64(k)*SplineMinBinWidth), SplineMinBinWidth)
	h := AddScalar(MulScalar(Softmax(Reshape(uh, n, k), 1), 1-float64(k)*SplineMinBinHeight), SplineMinBinHeight)
	shiftD := math.Log(math.Expm1(1 - SplineMinDerivative))
	dInner := AddScalar(Softplus(AddScalar(Reshape(ud, n, k-1), shiftD)), SplineMinDerivative)

	lo, hi := Scalar(x.Graph(), x.DType(), -bound), Scalar(x.Graph(), x.DType(), bound)
	inside := LogicalAnd(GreaterOrEqual(xf, lo), LessOrEqual(xf, hi))
	xc := Min(Max(xf, lo), hi)

	// Bin search: only the comparisons need the knots, and they need no gradient, so the knots are prefix sums
	// computed under StopGradient (slicing's gradient would need the Pad op; its forward pass is fine). The bin's edge and size, which do carry gradients,
	// are sums of the bin sizes selected by constant-per-row indicators — no cumulative sum, no slicing:
	//	before_j = [v ≥ right edge of bin j] (j < K−1),  k = Σ_j before_j,  one-hot_j = [k = j]
	//	left edge = −B + 2B·Σ_j before_j·size_j,  bin size = 2B·Σ_j one-hot_j·size_j
	sizes := w
	if inverse {
		sizes = h
	}
	before, k1 := binIndicators(xc, sizes, k, bound)
	eq := func(offset, n int) *Node { // [N, n] with column j = [bin = j + offset]
		row := make([]float64, n)
		for j := range row {
			row[j] = float64(j + offset)
		}
		return ConvertDType(Equal(k1, ConstAs(x, [][]float64{row})), x.DType())
	}
	oneHot := eq(0, k)
	sum := func(a, b *Node) *Node { return ReduceSum(Mul(a, b), 1) }
	xk, wk := AddScalar(MulScalar(sum(w, before), width), -bound), MulScalar(sum(w, oneHot), width)
	yk, hk := AddScalar(MulScalar(sum(h, before), width), -bound), MulScalar(sum(h, oneHot), width)
	kFlat := Reshape(k1, n)
	isFirst := ConvertDType(Equal(kFlat, ScalarZero(x.Graph(), x.DType())), x.DType())
	isLast := ConvertDType(Equal(kFlat, Scalar(x.Graph(), x.DType(), float64(k-1))), x.DType())
	dk := Add(sum(dInner, eq(1, k-1)), isFirst) // left derivative: δ_k (interior j = k−1), or 1 for the first bin
	dk1 := Add(sum(dInner, eq(0, k-1)), isLast) // right derivative: δ_{k+1} (interior j = k), or 1 for the last bin
	s := Div(hk, wk)
	c1 := Sub(Add(dk1, dk), MulScalar(s, 2))

	var xi, out *Node
	zero, one := ScalarZero(x.Graph(), x.DType()), ScalarOne(x.Graph(), x.DType())
	if !inverse {
		xi = Min(Max(Div(Sub(xc, xk), wk), zero), one)
		om := Mul(xi, OneMinus(xi))
		num := Mul(hk, Add(Mul(s, Square(xi)), Mul(dk, om)))
		den := Add(s, Mul(c1, om))
		out = Add(yk, Div(num, den))
	} else {
		delta := Sub(xc, yk)
		a := Add(Mul(hk, Sub(s, dk)), Mul(delta, c1))
		bq := Sub(Mul(hk, dk), Mul(delta, c1))
		c := Neg(Mul(s, delta))
		disc := Max(Sub(Square(bq), MulScalar(Mul(a, c), 4)), Scalar(x.Graph(), x.DType(), 1e-12))
		xi = Div(MulScalar(c, 2), Sub(Neg(bq), Sqrt(disc)))
		xi = Min(Max(xi, zero), one)
		out = Add(xk, Mul(xi, wk))
	}
	om := Mul(xi, OneMinus(xi))
	den := Add(s, Mul(c1, om))
	numD := Add(Add(Mul(dk1, Square(xi)), Mul(MulScalar(s, 2), om)), Mul(dk, Square(OneMinus(xi))))
	logD := Sub(Add(MulScalar(Log(s), 2), Log(numD)), MulScalar(Log(den), 2))
	if inverse {
		logD = Neg(logD)
	}
	y = Reshape(Where(inside, out, xf), b, d)
	logDeriv = Reshape(Where(inside, logD, ZerosLike(logD)), b, d)
	return y, logDeriv
}

// binIndicators returns before ([N, K], before_j = [v ≥ right edge of bin j], 0 for the last bin) and the bin
// index k = Σ_j before_j as [N, 1], for v ([N]) in [−bound, bound] and bin sizes ([N, K], fractions summing to 1).
// Nothing here carries a gradient: the bin is locally constant.
func binIndicators(v, sizes *Node, k int, bound float64) (before, index *Node) {
	n := v.Shape().Dim(0)
	right := AddScalar(MulScalar(prefixSums(StopGradient(sizes)), 2*bound), -bound)
	notLast := make([]float64, k)
	for j := range k - 1 {
		notLast[j] = 1
	}
	ge := ConvertDType(GreaterOrEqual(StopGradient(Reshape(v, n, 1)), right), v.DType())
	before = StopGradient(Mul(ge, ConstAs(v, [][]float64{notLast})))
	return before, Reshape(ReduceSum(before, 1), n, 1)
}

// prefixSums returns the inclusive cumulative sums along axis 1 of x ([N, K]) by log₂K shifted additions
// (Hillis–Steele). It uses Slice, so it must only be used where no gradient flows (GoMLX's CumSum, a ReduceWindow,
// is several times slower on the pure-Go backend).
func prefixSums(x *Node) *Node {
	n, k := x.Shape().Dim(0), x.Shape().Dim(1)
	for s := 1; s < k; s *= 2 {
		shifted := Concatenate([]*Node{Zeros(x.Graph(), shapes.Make(x.DType(), n, s)), Slice(x, AxisRange(), AxisRange(0, k-s))}, 1)
		x = Add(x, shifted)
	}
	return x
}

// transformer is an elementwise monotone map x = τ(z; θ) whose parameters come from a conditioner as heads of shape
// [batch, D·sizes[j]]. Coupling and autoregressive layers share it.
type transformer interface {
	sizes() []int
	// forward returns τ(z; θ) and log τ'(z), both [batch, D].
	forward(z *Node, params []*Node) (x, logDeriv *Node)
	// inverse returns τ⁻¹(x; θ) and log (τ⁻¹)'(x).
	inverse(x *Node, params []*Node) (z, logDeriv *Node)
	describe() string
}

// affineTransformer is τ(z) = z·exp(s) + t with s = B·tanh(ŝ/B): heads (t, ŝ).
type affineTransformer struct{ scaleBound float64 }

func (a affineTransformer) sizes() []int { return []int{1, 1} }

func (a affineTransformer) logScale(p *Node) *Node {
	return MulScalar(Tanh(MulScalar(p, 1/a.scaleBound)), a.scaleBound)
}

func (a affineTransformer) forward(z *Node, p []*Node) (*Node, *Node) {
	s := a.logScale(p[1])
	return Add(Mul(z, Exp(s)), p[0]), s
}

func (a affineTransformer) inverse(x *Node, p []*Node) (*Node, *Node) {
	s := a.logScale(p[1])
	return Mul(Sub(x, p[0]), Exp(Neg(s))), Neg(s)
}

func (a affineTransformer) describe() string { return "affine" }

// splineTransformer is [RQSpline]: heads (widths, heights, interior derivatives).
type splineTransformer struct {
	bins  int
	bound float64
}

func (s splineTransformer) sizes() []int { return []int{s.bins, s.bins, s.bins - 1} }

func (s splineTransformer) forward(z *Node, p []*Node) (*Node, *Node) {
	return RQSpline(z, p[0], p[1], p[2], s.bins, s.bound, false)
}

func (s splineTransformer) inverse(x *Node, p []*Node) (*Node, *Node) {
	return RQSpline(x, p[0], p[1], p[2], s.bins, s.bound, true)
}

func (s splineTransformer) describe() string {
	return fmt.Sprintf("RQ spline, %d bins on [−%g, %g]", s.bins, s.bound, s.bound)
}

func checkSpline(who string, bins int, bound float64) {
	if bins < 2 || !(bound > 0) || math.IsInf(bound, 0) {
		panic(fmt.Sprintf("%s: want bins ≥ 2 and a finite bound > 0, got bins = %d, bound = %v", who, bins, bound))
	}
}

// SplineCoupling is the coupling layer of neural spline flows (Durkan et al. 2019, arXiv:1906.04032): RealNVP's
// structure with the affine map replaced by a monotone rational-quadratic spline ([RQSpline]) on [−Bound, Bound]
// with identity tails. With mask m (1 = kept):
//
//	x = m⊙z + (1−m)⊙RQS(z; θ(m⊙z)),   log|det ∂x/∂z| = Σ_d (1−m_d)·log RQS'(z_d)
//
// Both directions cost one network evaluation (the spline inverse is closed form). Points outside the interval
// pass through unchanged in the transformed coordinates — so data should be standardized, with Bound a few standard
// deviations (4 is a good default). The network's output layers start at zero: the layer starts as the identity.
type SplineCoupling struct {
	mask        []bool
	conditioner Conditioner
	spline      splineTransformer
}

// NewSplineCoupling returns a rational-quadratic spline coupling layer with the given mask (true = kept), bins and
// bound, and the default conditioner. It panics on a bad mask, bins < 2 or bound ≤ 0.
func NewSplineCoupling(mask []bool, bins int, bound float64) *SplineCoupling {
	checkMask("bijectors.NewSplineCoupling", mask)
	checkSpline("bijectors.NewSplineCoupling", bins, bound)
	return &SplineCoupling{mask: slices.Clone(mask), conditioner: DefaultConditioner,
		spline: splineTransformer{bins: bins, bound: bound}}
}

// WithConditioner sets the conditioner's hidden widths and activation.
func (c *SplineCoupling) WithConditioner(cond Conditioner) *SplineCoupling {
	c.conditioner = Conditioner{Hidden: slices.Clone(cond.Hidden), Activation: cond.Activation}
	return c
}

// Hidden sets the conditioner's hidden widths.
func (c *SplineCoupling) Hidden(widths ...int) *SplineCoupling {
	c.conditioner.Hidden = slices.Clone(widths)
	return c
}

func (c *SplineCoupling) params(scope *model.Scope, x *Node) []*Node {
	flowlib.CheckPoints("bijectors.SplineCoupling", x, len(c.mask))
	return conditionerHeads(scope.At("conditioner"), Mul(x, maskConst(x, c.mask)), c.conditioner, len(c.mask), c.spline.sizes())
}

// Forward implements flowlib.Bijector.
func (c *SplineCoupling) Forward(scope *model.Scope, z *Node) (*Node, *Node) {
	y, ld := c.spline.forward(z, c.params(scope, z))
	return c.combine(z, y, ld)
}

// Inverse implements flowlib.Bijector.
func (c *SplineCoupling) Inverse(scope *model.Scope, x *Node) (*Node, *Node) {
	y, ld := c.spline.inverse(x, c.params(scope, x))
	return c.combine(x, y, ld)
}

func (c *SplineCoupling) combine(in, out, logDeriv *Node) (*Node, *Node) {
	m := maskConst(in, c.mask)
	free := OneMinus(m)
	return Add(Mul(m, in), Mul(free, out)), sumPerExample(Mul(free, logDeriv))
}

// Name implements flowlib.Named.
func (c *SplineCoupling) Name() string {
	return fmt.Sprintf("SplineCoupling(mask=%s, %s, hidden=%v, %s)", maskString(c.mask), c.spline.describe(),
		c.conditioner.Hidden, c.conditioner.Activation)
}

// conditionerHeads is an MLP on x with one zero-initialised output layer per entry of sizes, of width dim·size.
// (nn.MLP's heads all have one width; spline parameters need K, K and K−1 values per dimension.)
func conditionerHeads(scope *model.Scope, x *Node, cond Conditioner, dim int, sizes []int) []*Node {
	h := x
	for i, w := range cond.Hidden {
		h = nn.Activate(cond.Activation, nn.HiddenDense(scope.At("hidden_%d", i), h, w))
	}
	heads := make([]*Node, len(sizes))
	for j, size := range sizes {
		name := "output"
		if j > 0 {
			name = fmt.Sprintf("output_%d", j)
		}
		heads[j] = nn.Dense(scope.At("%s", name).WithInitializer(initializer.Zero), h, dim*size)
	}
	return heads
}
