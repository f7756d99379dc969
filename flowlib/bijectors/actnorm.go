package bijectors

import (
	"fmt"

	"github.com/flowsgo/flows/flowlib"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
)

// ActNorm is the activation normalisation of Glow (Kingma & Dhariwal, 2018, arXiv:1807.03039): an elementwise
// affine map x = z·exp(s) + b whose parameters are initialised from data. The first time Inverse runs in a training graph
// (model.Scope.IsTraining), it sets b to the batch mean and s to the log of the batch standard deviation
// of each coordinate, so that the layer's output z = (x − b)·exp(−s) has zero mean and unit variance; from then on s
// and b are ordinary trainable variables. log|det ∂x/∂z| = Σ_d s_d. Before that first batch it is the identity.
type ActNorm struct {
	dim int
}

// NewActNorm returns an ActNorm layer on R^dim.
func NewActNorm(dim int) *ActNorm {
	if dim < 1 {
		panic(fmt.Sprintf("bijectors.NewActNorm: dim must be ≥ 1, got %d", dim))
	}
	return &ActNorm{dim: dim}
}

func (a *ActNorm) vars(scope *model.Scope, x *Node) (logScale, shift, initialized *model.Variable) {
	zero := scope.WithInitializer(initializer.Zero)
	logScale = zero.VariableWithShape("log_scale", shapes.Make(flowlib.DType, 1, a.dim))
	shift = zero.VariableWithShape("shift", shapes.Make(flowlib.DType, 1, a.dim))
	initialized = zero.VariableWithShape("initialized", shapes.Make(flowlib.DType))
	initialized.Trainable = false
	return
}

// Forward implements flowlib.Bijector.
func (a *ActNorm) Forward(scope *model.Scope, z *Node) (*Node, *Node) {
	flowlib.CheckPoints("bijectors.ActNorm.Forward", z, a.dim)
	sVar, bVar, _ := a.vars(scope, z)
	s := ConvertDType(sVar.NodeValue(z.Graph()), z.DType())
	b := ConvertDType(bVar.NodeValue(z.Graph()), z.DType())
	return Add(Mul(z, Exp(s)), b), batchLogDet(z, s)
}

// Inverse implements flowlib.Bijector; the first call initialises the parameters from x (see [ActNorm]).
func (a *ActNorm) Inverse(scope *model.Scope, x *Node) (*Node, *Node) {
	flowlib.CheckPoints("bijectors.ActNorm.Inverse", x, a.dim)
	sVar, bVar, initVar := a.vars(scope, x)
	g := x.Graph()
	if !scope.IsTraining(g) {
		s := ConvertDType(sVar.NodeValue(g), x.DType())
		b := ConvertDType(bVar.NodeValue(g), x.DType())
		return Mul(Sub(x, b), Exp(Neg(s))), Neg(batchLogDet(x, s))
	}
	done := GreaterThan(initVar.NodeValue(g), ScalarZero(g, flowlib.DType))
	xd := StopGradient(ConvertDType(x, flowlib.DType))
	mean := ReduceMean(xd, 0)
	mean = InsertAxes(mean, 0)
	std := Sqrt(AddScalar(ReduceMean(Square(Sub(xd, mean)), 0), 1e-6))
	dataS := InsertAxes(Log(std), 0)
	sVal := Where(done, sVar.NodeValue(g), dataS)
	bVal := Where(done, bVar.NodeValue(g), mean)
	sVar.SetNodeValue(sVal)
	bVar.SetNodeValue(bVal)
	initVar.SetNodeValue(OnesLike(initVar.NodeValue(g)))
	s, b := ConvertDType(sVal, x.DType()), ConvertDType(bVal, x.DType())
	return Mul(Sub(x, b), Exp(Neg(s))), Neg(batchLogDet(x, s))
}

// Name implements flowlib.Named.
func (a *ActNorm) Name() string { return fmt.Sprintf("ActNorm(dim=%d)", a.dim) }
