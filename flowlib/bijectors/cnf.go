package bijectors

import (
	"fmt"
	"slices"

	"github.com/flowsgo/flows/flowlib"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
)

// TraceMode selects how [CNF] computes the trace of the velocity field's Jacobian.
type TraceMode int

const (
	// TraceExact computes tr(∂v/∂x) exactly by pushing all D basis directions through the network at once:
	// D times the cost of one forward pass (cheap in 2D).
	TraceExact TraceMode = iota
	// TraceHutchinson uses Hutchinson's estimator tr J ≈ εᵀJε with ε ~ N(0, I), drawn once per solve as in FFJORD:
	// one extra pass whatever D, unbiased but noisy. Log-densities become stochastic: use it for training in high
	// dimensions, and TraceExact to evaluate.
	TraceHutchinson
)

// CNF is a continuous normalizing flow (Chen, Rubanova, Bettencourt & Duvenaud, "Neural Ordinary Differential
// Equations", 2018, arXiv:1806.07366; Grathwohl, Chen, Bettencourt, Sutskever & Duvenaud, "FFJORD", 2018,
// arXiv:1810.01367): the map from z = x(0) to x = x(1) along the ODE
//
//	dx/dt = v(x, t),   d log|det ∂x(t)/∂x(0)|/dt = tr(∂v/∂x)   (instantaneous change of variables)
//
// with v a tanh MLP whose hidden layers also see t: h_l = tanh(h_{l−1}·W_l + t·u_l + b_l), v = h_L·W_out + b_out.
// Forward integrates t: 0 → 1 and Inverse t: 1 → 0, both with Steps fixed steps of the classical Runge–Kutta method
// (RK4) on the augmented state (x, log-det), written as GoMLX ops so training backpropagates through the unrolled
// solver. Both directions cost the same: 4·Steps evaluations of v and its trace. Any velocity field gives an
// invertible map (no architectural constraint) — the price is the solver's cost and its discretisation error: the
// RK4 map and its reverse agree to O(h⁴), so the round trip and the log-determinant are exact only as Steps grows.
//
// The trace uses the network's Jacobian written out by hand (forward-mode tangents through the tanh layers:
// J = W_outᵀ·diag(1−h_L²)·W_Lᵀ ⋯ diag(1−h_1²)·W_1ᵀ), so training needs only first-order gradients (a gradient of the
// trace computed by autodiff would be second-order). The output layer starts at zero: v = 0 and the flow starts
// as the identity.
type CNF struct {
	dim    int
	hidden []int
	steps  int
	trace  TraceMode
}

// NewCNF returns a continuous flow on R^dim with a velocity MLP of two hidden layers of 32, 8 RK4 steps and the
// exact trace.
func NewCNF(dim int) *CNF {
	if dim < 1 {
		panic(fmt.Sprintf("bijectors.NewCNF: dim must be ≥ 1, got %d", dim))
	}
	return &CNF{dim: dim, hidden: []int{32, 32}, steps: 8, trace: TraceExact}
}

// Hidden sets the velocity field's hidden widths (at least one layer).
func (c *CNF) Hidden(widths ...int) *CNF {
	if len(widths) == 0 {
		panic("bijectors.CNF.Hidden: want at least one hidden layer")
	}
	c.hidden = slices.Clone(widths)
	return c
}

// Steps sets the number of RK4 steps (each costs 4 evaluations of the field).
func (c *CNF) Steps(n int) *CNF {
	if n < 1 {
		panic(fmt.Sprintf("bijectors.CNF.Steps: want ≥ 1 step, got %d", n))
	}
	c.steps = n
	return c
}

// Trace sets how the Jacobian trace is computed.
func (c *CNF) Trace(mode TraceMode) *CNF { c.trace = mode; return c }

// Forward implements flowlib.Bijector: integrates t from 0 to 1.
func (c *CNF) Forward(scope *model.Scope, z *Node) (*Node, *Node) {
	flowlib.CheckPoints("bijectors.CNF.Forward", z, c.dim)
	return c.solve(scope, z, 0, 1)
}

// Inverse implements flowlib.Bijector: integrates t from 1 to 0.
func (c *CNF) Inverse(scope *model.Scope, x *Node) (*Node, *Node) {
	flowlib.CheckPoints("bijectors.CNF.Inverse", x, c.dim)
	return c.solve(scope, x, 1, 0)
}

// Name implements flowlib.Named.
func (c *CNF) Name() string {
	tr := "exact trace"
	if c.trace == TraceHutchinson {
		tr = "Hutchinson trace"
	}
	return fmt.Sprintf("CNF(dim=%d, tanh MLP %v, RK4 × %d, %s)", c.dim, c.hidden, c.steps, tr)
}

// solve integrates the augmented ODE from t0 to t1 with RK4 and returns x(t1) and ∫ tr J dt.
func (c *CNF) solve(scope *model.Scope, x *Node, t0, t1 float64) (*Node, *Node) {
	scope = scope.At("velocity")
	var eps *Node
	if c.trace == TraceHutchinson {
		eps = scope.RandomNormal(x.Graph(), x.Shape())
	}
	f := func(x *Node, t float64) (*Node, *Node) { return c.field(scope, x, t, eps) }
	dt := (t1 - t0) / float64(c.steps)
	logDet := Zeros(x.Graph(), shapes.Make(x.DType(), x.Shape().Dim(0)))
	for i := range c.steps {
		t := t0 + float64(i)*dt
		k1, l1 := f(x, t)
		k2, l2 := f(Add(x, MulScalar(k1, dt/2)), t+dt/2)
		k3, l3 := f(Add(x, MulScalar(k2, dt/2)), t+dt/2)
		k4, l4 := f(Add(x, MulScalar(k3, dt)), t+dt)
		x = Add(x, MulScalar(Add(Add(k1, k4), MulScalar(Add(k2, k3), 2)), dt/6))
		logDet = Add(logDet, MulScalar(Add(Add(l1, l4), MulScalar(Add(l2, l3), 2)), dt/6))
	}
	return x, logDet
}

// field returns v(x, t) ([batch, D]) and tr(∂v/∂x) ([batch]) — exact, or εᵀ(∂v/∂x)ε when eps is given.
func (c *CNF) field(scope *model.Scope, x *Node, t float64, eps *Node) (*Node, *Node) {
	g := x.Graph()
	b, d := x.Shape().Dim(0), x.Shape().Dim(1)
	if len(c.hidden) == 1 && eps == nil {
		return c.fieldOneLayer(scope, x, t)
	}
	h := x
	var tangent *Node // exact: [b·d, width], row (n, i) = ∂h/∂x_i; Hutchinson: [b, width] = (∂h/∂x)·ε
	if eps != nil {
		tangent = eps
	}
	for l, width := range c.hidden {
		lctx := scope.At("hidden_%d", l)
		w := lctx.VariableWithShape("weights", shapes.Make(x.DType(), h.Shape().Dim(1), width)).NodeValue(g)
		u := lctx.VariableWithShape("time_weights", shapes.Make(x.DType(), 1, width)).NodeValue(g)
		bias := lctx.WithInitializer(initializer.Zero).VariableWithShape("biases", shapes.Make(x.DType(), 1, width)).NodeValue(g)
		pre := Add(Add(DotProduct(h, w), MulScalar(u, t)), bias)
		h = Tanh(pre)
		slope := OneMinus(Square(h)) // tanh' at pre
		switch {
		case eps != nil:
			tangent = Mul(slope, DotProduct(tangent, w))
		case l == 0: // ∂pre/∂x_i is row i of W: [b, d, width] = slope[b, 1, width]·W[1, d, width]
			tangent = Reshape(Mul(Reshape(slope, b, 1, width), Reshape(w, 1, d, width)), b*d, width)
		default:
			tangent = Reshape(Mul(Reshape(DotProduct(tangent, w), b, d, width), Reshape(slope, b, 1, width)), b*d, width)
		}
	}
	octx := scope.At("output").WithInitializer(initializer.Zero)
	wOut := octx.VariableWithShape("weights", shapes.Make(x.DType(), h.Shape().Dim(1), d)).NodeValue(g)
	bOut := octx.VariableWithShape("biases", shapes.Make(x.DType(), 1, d)).NodeValue(g)
	v := Add(DotProduct(h, wOut), bOut)
	dv := DotProduct(tangent, wOut)
	if eps != nil {
		return v, ReduceSum(Mul(eps, dv), 1)
	}
	eye := make([][][]float64, 1)
	eye[0] = make([][]float64, d)
	for i := range d {
		eye[0][i] = make([]float64, d)
		eye[0][i][i] = 1
	}
	return v, ReduceSum(Mul(Reshape(dv, b, d, d), ConstAs(x, eye)), 1, 2)
}

// fieldOneLayer is field for one hidden layer with the exact trace, in closed form:
// ∂v_j/∂x_i = Σ_l W[i,l]·(1−h_l²)·W_out[l,j], so tr J = Σ_l (1−h_l²)·c_l with c_l = Σ_i W[i,l]·W_out[l,i] — one
// product with the weights instead of D tangent passes.
func (c *CNF) fieldOneLayer(scope *model.Scope, x *Node, t float64) (*Node, *Node) {
	g := x.Graph()
	d, width := x.Shape().Dim(1), c.hidden[0]
	lctx := scope.At("hidden_0")
	w := lctx.VariableWithShape("weights", shapes.Make(x.DType(), d, width)).NodeValue(g)
	u := lctx.VariableWithShape("time_weights", shapes.Make(x.DType(), 1, width)).NodeValue(g)
	bias := lctx.WithInitializer(initializer.Zero).VariableWithShape("biases", shapes.Make(x.DType(), 1, width)).NodeValue(g)
	h := Tanh(Add(Add(DotProduct(x, w), MulScalar(u, t)), bias))
	octx := scope.At("output").WithInitializer(initializer.Zero)
	wOut := octx.VariableWithShape("weights", shapes.Make(x.DType(), width, d)).NodeValue(g)
	bOut := octx.VariableWithShape("biases", shapes.Make(x.DType(), 1, d)).NodeValue(g)
	v := Add(DotProduct(h, wOut), bOut)
	coupling := Reshape(ReduceSum(Mul(w, Transpose(wOut, 0, 1)), 0), 1, width) // c_l
	return v, ReduceSum(Mul(OneMinus(Square(h)), coupling), 1)
}
