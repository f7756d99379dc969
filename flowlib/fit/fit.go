// Package fit trains flows by maximum likelihood: it minimises the mean negative log-likelihood
// NLL = −(1/B)·Σ_b log p(x_b) with Adam.
//
//	hist, err := fit.Fit(model, train, fit.Options{Steps: 2000, HeldOut: test})
//	fmt.Println(hist.TrainNLL[0], hist.FinalTrainNLL, hist.FinalHeldOutNLL)
//
// Batches come from a fixed training set (reshuffled every epoch) or, with Options.Stream, from fresh points every
// step. A step whose loss or gradient is not finite is not applied: Fit stops with an error naming the step and the
// model keeps the parameters of the last good step. Options.Context cancels a run between steps, with the same
// guarantee:
//
//	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
//	defer stop()
//	hist, err := fit.Fit(model, train, fit.Options{Steps: 100_000, Context: ctx})
//	if errors.Is(err, context.Canceled) { /* model and hist hold the steps completed so far */ }
package fit

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/flowsgo/flows/flowlib"
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"
)

// Options configures [Fit]. Zero values take the defaults noted.
type Options struct {
	Steps        int     // number of optimizer steps; required, > 0
	BatchSize    int     // points per step; default 256
	LearningRate float64 // Adam's learning rate; default 1e-3
	// CosineDecay lowers the learning rate along a half cosine from LearningRate to 0 over Steps.
	CosineDecay bool
	// ClipNorm, when > 0, rescales the gradient so its global L2 norm is at most ClipNorm.
	ClipNorm float64
	// WarmupSteps, when > 0, raises the learning rate linearly over the first WarmupSteps steps: step k uses
	// LearningRate·min(1, k/WarmupSteps) (times the cosine factor, with CosineDecay).
	WarmupSteps int
	// AdamEpsilon is the ε Adam adds to √v̂; default 1e-7 (GoMLX's), PyTorch uses 1e-8.
	AdamEpsilon float64
	// EMA, when in (0, 1), keeps an exponential moving average of the flow's trainable variables (Polyak
	// averaging): after step k, avg ← d·avg + (1−d)·θ with d = min(EMA, (1+k)/(10+k)), starting from the initial
	// weights (the ramp keeps them from weighing on the average). Held-out scores and the final training NLL use
	// the averaged weights, and Fit leaves them in the model: the result of training is the average. 0 = off.
	EMA  float64
	Seed uint64 // seeds the batch order (the model's initial weights have their own seed: Model.SetInitSeed)
	// Stream, when set, supplies a fresh batch of n points for every step (the training set is then only used for
	// the final training NLL).
	Stream func(n int, seed uint64) ([][]float64, error)
	// HeldOut points are scored every EvalEvery steps and at the end.
	HeldOut   [][]float64
	EvalEvery int // default Steps/20 (at least 1)
	// OnStep is called after every step; returning an error stops training with that error.
	OnStep func(s Step) error
	// Context, when done, stops training before the next step (nil means context.Background()): Fit returns the
	// history so far and an error wrapping Context.Err(), and the model keeps the parameters after the last
	// completed step. A step that has started runs to its end, so a cancel takes effect within one step. The
	// history's Final fields are then not measured (FinalTrainNLL 0, FinalHeldOutNLL NaN): a stop is quick.
	Context context.Context
}

// Step reports one training step to Options.OnStep.
type Step struct {
	Step, Steps int
	NLL         float64 // mean NLL of this step's batch, before the update
	HeldOutNLL  float64 // NaN unless held-out points were scored at this step
	Elapsed     time.Duration
}

// History records a run.
type History struct {
	TrainNLL        []float64 // batch NLL at every step (index = step − 1); TrainNLL[0] is the untrained model's
	EvalSteps       []int     // steps at which HeldOutNLL was measured (0 = before training)
	HeldOutNLL      []float64
	FinalTrainNLL   float64 // NLL of the final model on the whole training set
	FinalHeldOutNLL float64 // NaN without held-out points
	Duration        time.Duration
	MsPerStep       float64 // Duration / steps, in milliseconds (includes held-out evaluations)
}

// Fit trains model on train (rows of m.Dim() values) and returns the history. It returns an error for bad
// options or data, and when a step produces a non-finite loss or gradient; the model then keeps the last good
// parameters.
func Fit(m *flowlib.Model, train [][]float64, opts Options) (*History, error) {
	if err := opts.validate(m, train); err != nil {
		return nil, err
	}
	trainer, err := newTrainer(m, opts)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(opts.Seed, 0x5eed))
	order := rng.Perm(len(train))
	pos := 0
	nextBatch := func(step int) ([][]float64, error) {
		if opts.Stream != nil {
			b, err := opts.Stream(opts.BatchSize, opts.Seed*1_000_003+uint64(step))
			if err != nil {
				return nil, fmt.Errorf("fit: Options.Stream at step %d: %w", step, err)
			}
			if err := flowlib.CheckPointsHost("fit: Options.Stream batch", b, m.Dim()); err != nil {
				return nil, err
			}
			return b, nil
		}
		batch := make([][]float64, opts.BatchSize)
		for i := range batch {
			if pos == len(order) {
				order, pos = rng.Perm(len(train)), 0
			}
			batch[i] = train[order[pos]]
			pos++
		}
		return batch, nil
	}

	hist := &History{FinalHeldOutNLL: math.NaN()}
	evaluate := func(step int) (float64, error) {
		if opts.HeldOut == nil {
			return math.NaN(), nil
		}
		var nll float64
		err := trainer.withAverage(func() (err error) { nll, err = MeanNLL(m, opts.HeldOut); return err })
		if err != nil {
			return 0, err
		}
		hist.EvalSteps = append(hist.EvalSteps, step)
		hist.HeldOutNLL = append(hist.HeldOutNLL, nll)
		return nll, nil
	}
	if _, err := evaluate(0); err != nil {
		return nil, err
	}
	start := time.Now()
	for step := 1; step <= opts.Steps; step++ {
		if err := opts.Context.Err(); err != nil {
			hist.Duration = time.Since(start)
			if step > 1 {
				hist.MsPerStep = float64(hist.Duration.Microseconds()) / 1000 / float64(step-1)
			}
			return hist, fmt.Errorf("fit: stopped before step %d of %d; the model keeps the parameters after step %d: %w",
				step, opts.Steps, step-1, context.Cause(opts.Context))
		}
		batch, err := nextBatch(step)
		if err != nil {
			return hist, err
		}
		lr := opts.LearningRate
		if opts.WarmupSteps > 0 {
			lr *= min(1, float64(step)/float64(opts.WarmupSteps))
		}
		if opts.CosineDecay {
			lr *= 0.5 * (1 + math.Cos(math.Pi*float64(step-1)/float64(opts.Steps)))
		}
		nll, ok, err := trainer.step(batch, lr)
		if err != nil {
			return hist, fmt.Errorf("fit: step %d: %w", step, err)
		}
		if !ok {
			return hist, fmt.Errorf("fit: step %d: the loss or its gradient is not finite (NLL = %v); the step was "+
				"not applied and the model keeps the parameters after step %d — try a lower LearningRate or a ClipNorm",
				step, nll, step-1)
		}
		hist.TrainNLL = append(hist.TrainNLL, nll)
		held := math.NaN()
		if step%opts.EvalEvery == 0 || step == opts.Steps {
			if held, err = evaluate(step); err != nil {
				return hist, err
			}
		}
		if opts.OnStep != nil {
			s := Step{Step: step, Steps: opts.Steps, NLL: nll, HeldOutNLL: held, Elapsed: time.Since(start)}
			if err := opts.OnStep(s); err != nil {
				return hist, err
			}
		}
	}
	hist.Duration = time.Since(start)
	hist.MsPerStep = float64(hist.Duration.Microseconds()) / 1000 / float64(opts.Steps)
	if err := trainer.keepAverage(); err != nil {
		return hist, err
	}
	if hist.FinalTrainNLL, err = MeanNLL(m, train); err != nil {
		return hist, err
	}
	if n := len(hist.HeldOutNLL); n > 0 {
		hist.FinalHeldOutNLL = hist.HeldOutNLL[n-1]
	}
	return hist, nil
}

// MeanNLL returns −mean log p(x) over the points.
func MeanNLL(m *flowlib.Model, x [][]float64) (float64, error) {
	lp, err := m.LogProb(x)
	if err != nil {
		return 0, err
	}
	s := 0.0
	for _, v := range lp {
		s += v
	}
	return -s / float64(len(lp)), nil
}

func (o *Options) validate(m *flowlib.Model, train [][]float64) error {
	if m == nil {
		return errors.New("fit: model is nil")
	}
	if o.Context == nil {
		o.Context = context.Background()
	}
	if o.Steps <= 0 {
		return fmt.Errorf("fit: Options.Steps = %d, want > 0", o.Steps)
	}
	if o.BatchSize == 0 {
		o.BatchSize = 256
	}
	if o.BatchSize < 0 {
		return fmt.Errorf("fit: Options.BatchSize = %d, want > 0", o.BatchSize)
	}
	if o.LearningRate == 0 {
		o.LearningRate = 1e-3
	}
	if !(o.LearningRate > 0) || math.IsInf(o.LearningRate, 0) {
		return fmt.Errorf("fit: Options.LearningRate = %v, want a finite number > 0", o.LearningRate)
	}
	if o.ClipNorm < 0 || math.IsNaN(o.ClipNorm) {
		return fmt.Errorf("fit: Options.ClipNorm = %v, want ≥ 0 (0 = no clipping)", o.ClipNorm)
	}
	if o.WarmupSteps < 0 {
		return fmt.Errorf("fit: Options.WarmupSteps = %d, want ≥ 0 (0 = no warmup)", o.WarmupSteps)
	}
	if o.AdamEpsilon < 0 || math.IsNaN(o.AdamEpsilon) || math.IsInf(o.AdamEpsilon, 0) {
		return fmt.Errorf("fit: Options.AdamEpsilon = %v, want a finite number ≥ 0 (0 = 1e-7)", o.AdamEpsilon)
	}
	if o.AdamEpsilon == 0 {
		o.AdamEpsilon = 1e-7
	}
	if !(o.EMA >= 0 && o.EMA < 1) {
		return fmt.Errorf("fit: Options.EMA = %v, want a decay in [0, 1) (0 = no averaging)", o.EMA)
	}
	if o.EvalEvery < 0 {
		return fmt.Errorf("fit: Options.EvalEvery = %d, want ≥ 0 (0 = Steps/20)", o.EvalEvery)
	}
	if o.EvalEvery == 0 {
		o.EvalEvery = max(1, o.Steps/20)
	}
	if err := flowlib.CheckPointsHost("fit: training data", train, m.Dim()); err != nil {
		return err
	}
	if o.HeldOut != nil {
		if err := flowlib.CheckPointsHost("fit: Options.HeldOut", o.HeldOut, m.Dim()); err != nil {
			return err
		}
	}
	return nil
}

// trainer runs one compiled training step: loss, gradient, optional clipping, Adam update — applied only when the
// loss and the gradient norm are finite.
type trainer struct {
	m     *flowlib.Model
	exec  *model.Exec
	lrVar *model.Variable
	// avg[v] is the moving average of flow variable v (Options.EMA), nil without averaging.
	avg   map[*model.Variable]*model.Variable
	stepV *model.Variable // steps taken, for the EMA's ramp
}

// emaScope holds the moving averages, outside the flow's scope so they are neither saved nor trained.
const emaScope = "fit_ema"

func newTrainer(m *flowlib.Model, opts Options) (*trainer, error) {
	scope := m.Store.RootScope()
	t := &trainer{m: m}
	t.lrVar = optimizer.LearningRateVar(scope, flowlib.DType, opts.LearningRate)
	// LearningRate(-1): Adam reads the learning-rate variable, which step sets before every run.
	if opts.EMA > 0 {
		if err := m.Init(); err != nil {
			return nil, err
		}
		t.avg = map[*model.Variable]*model.Variable{}
		for v := range m.Store.IterVariables() {
			if !v.Trainable || !m.Owns(v) {
				continue
			}
			val, err := v.Value()
			if err != nil {
				return nil, err
			}
			c, err := val.LocalClone()
			if err != nil {
				return nil, err
			}
			a, err := scope.At(emaScope).CreateVariable(strings.ReplaceAll(strings.TrimPrefix(v.Path(), "/"), "/", "|"), c)
			if err != nil {
				return nil, err
			}
			t.avg[v] = a.SetTrainable(false)
		}
		var err error
		if t.stepV, err = scope.At(emaScope).CreateVariable("step", tensors.FromScalar(float32(0))); err != nil {
			return nil, err
		}
		t.stepV.SetTrainable(false)
	}
	opt, ok := optimizer.Adam().LearningRate(-1).Epsilon(opts.AdamEpsilon).Done().(interface {
		UpdateGraphWithGradients(scope *model.Scope, grads []*Node, lossDType dtypes.DType)
	})
	if !ok {
		return nil, errors.New("fit: GoMLX's Adam no longer accepts precomputed gradients")
	}
	exec, err := model.NewExec(m.Backend, m.Store, func(scope *model.Scope, x *Node) (*Node, *Node) {
		g := x.Graph()
		scope.Store().SetTraining(g, true)
		loss := m.NLLGraph(scope, x)
		grads := scope.BuildTrainableVariablesGradientsGraph(loss)
		sq := ScalarZero(g, loss.DType())
		for _, gr := range grads {
			sq = Add(sq, ReduceAllSum(Square(gr)))
		}
		norm := Sqrt(sq)
		if opts.ClipNorm > 0 {
			factor := Min(ScalarOne(g, norm.DType()), Div(Scalar(g, norm.DType(), opts.ClipNorm), AddScalar(norm, 1e-12)))
			for i := range grads {
				grads[i] = Mul(grads[i], factor)
			}
		}
		ok := LogicalAnd(IsFinite(loss), IsFinite(norm))
		safe := make([]*Node, len(grads))
		for i, gr := range grads {
			safe[i] = Where(ok, gr, ZerosLike(gr)) // keeps Adam's moments finite on a bad step
		}
		before := map[*model.Variable]*Node{}
		for v := range scope.IterVariables() {
			if v.InUseByGraph(g) {
				before[v] = v.NodeValue(g)
			}
		}
		opt.UpdateGraphWithGradients(scope, safe, loss.DType())
		for v := range scope.IterVariables() {
			if old, found := before[v]; found {
				v.SetNodeValue(Where(ok, v.NodeValue(g), old))
			}
		}
		if t.avg != nil {
			k := AddScalar(t.stepV.NodeValue(g), 1)
			d := Min(Scalar(g, k.DType(), opts.EMA), Div(AddScalar(k, 1), AddScalar(k, 10)))
			for v, a := range t.avg {
				if !v.InUseByGraph(g) {
					continue
				}
				old := a.NodeValue(g)
				dv := ConvertDType(d, old.DType())
				next := Add(Mul(dv, old), Mul(OneMinus(dv), v.NodeValue(g)))
				a.SetNodeValue(Where(ok, next, old))
			}
			t.stepV.SetNodeValue(Where(ok, k, t.stepV.NodeValue(g)))
		}
		return loss, ok
	})
	if err != nil {
		return nil, err
	}
	t.exec = exec
	return t, nil
}

// withAverage runs f with the averaged weights in the model (Options.EMA), then puts the trained ones back; without
// averaging it just runs f.
func (t *trainer) withAverage(f func() error) error {
	if t.avg == nil {
		return f()
	}
	saved := map[*model.Variable]*tensors.Tensor{}
	for v := range t.avg {
		val, err := v.Value()
		if err != nil {
			return err
		}
		if saved[v], err = val.LocalClone(); err != nil {
			return err
		}
	}
	if err := t.keepAverage(); err != nil {
		return err
	}
	ferr := f()
	for v, val := range saved {
		if err := v.SetValue(val); err != nil {
			return errors.Join(ferr, err)
		}
	}
	return ferr
}

// keepAverage copies the averaged weights into the model's variables (Options.EMA); without averaging it does
// nothing.
func (t *trainer) keepAverage() error {
	for v, a := range t.avg {
		val, err := a.Value()
		if err != nil {
			return err
		}
		c, err := val.LocalClone()
		if err != nil {
			return err
		}
		if err := v.SetValue(c); err != nil {
			return err
		}
	}
	return nil
}

func (t *trainer) step(batch [][]float64, lr float64) (nll float64, ok bool, err error) {
	if err := t.lrVar.SetValue(tensors.FromScalar(float32(lr))); err != nil {
		return 0, false, err
	}
	res, err := t.exec.Call(flowlib.ToTensor(batch, 0, t.m.Dim()))
	if err != nil {
		return 0, false, err
	}
	nll = float64(tensors.ToScalar[float32](res[0]))
	ok = tensors.ToScalar[bool](res[1])
	return nll, ok, nil
}
