package flowlib

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// ChunkSize is how many points host-side calls send through a graph at once: large batches are cut into chunks of
// this size (the last one padded), which bounds memory and keeps one compiled graph per call kind.
const ChunkSize = 4096

// Model is a flow together with its variables and the backend that runs it: the host-side handle that fit trains,
// that flows.Save writes, and that notebooks query with plain Go slices.
type Model struct {
	Flow    *Flow
	Backend compute.Backend
	// Store holds the variables: the flow's under [VariablesScope], the optimizer's and the random-number state
	// beside them.
	Store *model.Store
	// Spec describes the architecture so it can be saved and rebuilt (set by package flows; nil for hand-built flows).
	Spec any

	logProbExec, sampleExec *model.Exec
}

// DefaultInitSeed seeds the initial weights of every new model, so that the same code gives the same model;
// [Model.SetInitSeed] changes it.
const DefaultInitSeed = 1

// NewModel returns a model for flow with fresh variables, initialised at the first call that needs them from
// [DefaultInitSeed].
func NewModel(backend compute.Backend, flow *Flow) *Model {
	if backend == nil || flow == nil {
		panic("flowlib.NewModel: backend and flow must not be nil")
	}
	m := &Model{Flow: flow, Backend: backend, Store: model.NewStore()}
	m.Store.SetParam(model.ParamInitialSeed, int64(DefaultInitSeed))
	return m
}

// SetInitSeed sets the seed of the initial weights. It returns an error once the variables exist (after the first
// LogProb, Sample, Init or training step), since it could no longer change them.
func (m *Model) SetInitSeed(seed int64) error {
	for v := range m.Store.IterVariables() {
		if m.Owns(v) {
			return fmt.Errorf("flowlib.Model.SetInitSeed: the variables are already initialised; set the seed first")
		}
	}
	if seed == 0 {
		return fmt.Errorf("flowlib.Model.SetInitSeed: seed 0 means \"random\" to GoMLX; use a non-zero seed")
	}
	m.Store.SetParam(model.ParamInitialSeed, seed)
	return nil
}

// VariablesScope is the scope under which a model keeps its flow's variables (optimizer state and the
// random-number state live elsewhere, and are not saved).
const VariablesScope = "flow"

// LogProbGraph builds log p(x) in a graph over the model's store (scope is the store's root scope, as an Exec built
// on m.Store passes it).
func (m *Model) LogProbGraph(scope *model.Scope, x *Node) *Node {
	return m.Flow.LogProb(scope.At(VariablesScope), x)
}

// NLLGraph builds the mean negative log-likelihood of x, the training loss.
func (m *Model) NLLGraph(scope *model.Scope, x *Node) *Node {
	return m.Flow.NLL(scope.At(VariablesScope), x)
}

// Dim is the dimension of the model's points.
func (m *Model) Dim() int { return m.Flow.Dim() }

// NumParams is the number of trainable scalars.
func (m *Model) NumParams() int {
	n := 0
	for v := range m.Store.IterVariables() {
		if v.Trainable && m.Owns(v) {
			n += v.Shape().Size()
		}
	}
	return n
}

// Owns reports whether v is one of the flow's variables (as opposed to optimizer or random-number state).
func (m *Model) Owns(v *model.Variable) bool {
	path := v.Scope()
	root := model.ScopeSeparator + VariablesScope
	return path == root || strings.HasPrefix(path, root+model.ScopeSeparator)
}

// Init creates and initialises the model's variables, by evaluating the log-density of one point, if they do not
// exist yet. Host-side calls do it on their own; NumParams and Summary need it first.
func (m *Model) Init() error {
	_, err := m.LogProb([][]float64{make([]float64, m.Dim())})
	return err
}

// LogProb returns log p(x) for each point (each row of x has Dim() values, finite and within float32 range, the
// precision the model computes in; anything else is an error naming the row and column).
//
// A point far out in the tails can have a density below float32's smallest number: its log p is then −Inf,
// returned without an error, since "zero density at this precision" is the right answer there (a heatmap over a
// wide grid must not fail because of its corners). A NaN or +Inf log-density, which no point has, is an error
// naming the first such point.
func (m *Model) LogProb(x [][]float64) ([]float64, error) {
	if err := checkRows("x", x, m.Dim(), true); err != nil {
		return nil, fmt.Errorf("flowlib.Model.LogProb: %w", err)
	}
	if m.logProbExec == nil {
		exec, err := model.NewExec(m.Backend, m.Store, func(scope *model.Scope, x *Node) *Node {
			return m.LogProbGraph(scope, x)
		})
		if err != nil {
			return nil, err
		}
		m.logProbExec = exec
	}
	outs, err := m.runChunks(m.logProbExec, x)
	if err != nil {
		return nil, fmt.Errorf("flowlib.Model.LogProb: %w", err)
	}
	lp := flatten(outs[0])
	for i, v := range lp {
		if math.IsNaN(v) || math.IsInf(v, 1) {
			return nil, fmt.Errorf("flowlib.Model.LogProb: x: row %d %v gives log p = %v: the flow overflows float32 "+
				"there (the point is too far from the data it was trained on)", i, x[i], v)
		}
	}
	return lp, nil
}

// MaxSampleValues bounds n·Dim() for [Model.Sample]: the base noise and the samples are held in memory as
// float64, so an absurd n is refused rather than attempted (2²⁵ values are 256 MB per copy).
const MaxSampleValues = 1 << 25

// Sample draws n points (1 ≤ n, n·Dim() ≤ [MaxSampleValues]); the same seed gives the same points. A sample or
// log-density that is not finite (a flow whose weights overflow float32) is an error, never returned.
func (m *Model) Sample(n int, seed uint64) ([][]float64, error) {
	x, _, err := m.SampleAndLogProb(n, seed)
	return x, err
}

// SampleAndLogProb draws n points and returns them with their log-densities, both from one forward pass. The base
// noise is drawn on the host from a PCG generator seeded with seed, so the same seed gives the same points
// whatever the backend or the number of cores.
func (m *Model) SampleAndLogProb(n int, seed uint64) ([][]float64, []float64, error) {
	if n < 1 || n > MaxSampleValues/m.Dim() {
		return nil, nil, fmt.Errorf("flowlib.Model.Sample: n must be ≥ 1 and at most %d (MaxSampleValues/Dim), got %d",
			MaxSampleValues/m.Dim(), n)
	}
	base, ok := m.Flow.Base.(StandardNormal)
	if !ok {
		return nil, nil, fmt.Errorf("flowlib.Model.Sample: host-side sampling supports a StandardNormal base, got %T "+
			"(use Flow.Sample in a graph)", m.Flow.Base)
	}
	if m.sampleExec == nil {
		exec, err := model.NewExec(m.Backend, m.Store, func(scope *model.Scope, z *Node) (*Node, *Node) {
			x, logDet := m.Flow.Bijector.Forward(scope.At(VariablesScope), z)
			return x, Sub(base.LogProb(z), logDet)
		})
		if err != nil {
			return nil, nil, err
		}
		m.sampleExec = exec
	}
	rng := rand.New(rand.NewPCG(seed, 0x5a3b1e))
	z := make([][]float64, n)
	for i := range z {
		z[i] = make([]float64, base.D)
		for j := range z[i] {
			z[i][j] = rng.NormFloat64()
		}
	}
	outs, err := m.runChunks(m.sampleExec, z)
	if err != nil {
		return nil, nil, fmt.Errorf("flowlib.Model.Sample: %w", err)
	}
	lp := flatten(outs[1])
	for i, x := range outs[0] {
		for _, v := range x {
			if math.IsNaN(v) || math.IsInf(v, 0) || math.IsNaN(lp[i]) || math.IsInf(lp[i], 0) {
				return nil, nil, fmt.Errorf("flowlib.Model.Sample: sample %d (seed %d) is %v with log p = %v: the flow "+
					"overflows float32 (check its weights)", i, seed, x, lp[i])
			}
		}
	}
	return outs[0], lp, nil
}

// runChunks runs exec over the points in chunks of ChunkSize (the last one padded), on as many goroutines as
// there are cores — the pure-Go backend runs one matrix product on one core — and returns each output
// concatenated over the chunks, trimmed to len(points) rows.
func (m *Model) runChunks(exec *model.Exec, points [][]float64) ([][][]float64, error) {
	numChunks := (len(points) + ChunkSize - 1) / ChunkSize
	results := make([][]*tensors.Tensor, numChunks)
	errs := make([]error, numChunks)
	next := make(chan int, numChunks)
	for c := range numChunks {
		next <- c
	}
	close(next)
	var wg sync.WaitGroup
	for range min(runtime.NumCPU(), numChunks) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range next {
				end := min((c+1)*ChunkSize, len(points))
				results[c], errs[c] = exec.Call(ToTensor(points[c*ChunkSize:end], ChunkSize, m.Dim()))
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	outs := make([][][]float64, len(results[0]))
	for c, res := range results {
		rows := min(ChunkSize, len(points)-c*ChunkSize)
		for k, t := range res {
			outs[k] = append(outs[k], FromTensor(t)[:rows]...)
		}
	}
	return outs, nil
}

// Transform runs points through the model's bijector layer by layer and returns every stage: with inverse false,
// stages[0] = z and stages[i+1] = the output of layer i (base → data); with inverse true, stages[0] = x and
// stages[k] = the points after undoing k layers (data → base). Notebooks draw the stages as filmstrips.
func (m *Model) Transform(points [][]float64, inverse bool) ([][][]float64, error) {
	if err := checkRows("points", points, m.Dim(), true); err != nil {
		return nil, err
	}
	exec, err := model.NewExec(m.Backend, m.Store, func(scope *model.Scope, x *Node) []*Node {
		scope = scope.At(VariablesScope)
		chain, ok := m.Flow.Bijector.(*ChainBijector)
		switch {
		case ok && inverse:
			return chain.InverseSteps(scope, x)
		case ok:
			return chain.ForwardSteps(scope, x)
		case inverse: // a single bijector: one stage, in its own scope (wrapping it in a Chain would rename it)
			z, _ := m.Flow.Bijector.Inverse(scope, x)
			return []*Node{x, z}
		default:
			y, _ := m.Flow.Bijector.Forward(scope, x)
			return []*Node{x, y}
		}
	})
	if err != nil {
		return nil, err
	}
	defer exec.Finalize()
	stages, err := m.runChunks(exec, points)
	if err != nil {
		return nil, fmt.Errorf("flowlib.Model.Transform: %w", err)
	}
	return stages, nil
}

// Summary describes the architecture, one line per layer, and the number of parameters.
func (m *Model) Summary() string {
	s := fmt.Sprintf("flow on R^%d, base N(0, I)\n", m.Dim())
	if chain, ok := m.Flow.Bijector.(*ChainBijector); ok {
		for i, b := range chain.Layers {
			s += fmt.Sprintf("  layer %d: %s\n", i, Describe(b))
		}
	} else {
		s += "  " + Describe(m.Flow.Bijector) + "\n"
	}
	return s + fmt.Sprintf("  %d trainable parameters", m.NumParams())
}

// ToTensor packs points into a float32 tensor of shape [rows, dim], padding with zero rows up to rows when
// len(points) < rows (rows ≤ 0 means exactly len(points)).
func ToTensor(points [][]float64, rows, dim int) *tensors.Tensor {
	if rows <= 0 {
		rows = len(points)
	}
	flat := make([]float32, rows*dim)
	for i, p := range points {
		for j, v := range p {
			flat[i*dim+j] = float32(v)
		}
	}
	return tensors.FromFlatDataAndDimensions(flat, rows, dim)
}

// FromTensor unpacks a rank-1 or rank-2 float tensor into rows (a rank-1 tensor gives rows of one value).
func FromTensor(t *tensors.Tensor) [][]float64 {
	dims := t.Shape().Dimensions
	rows, cols := dims[0], 1
	if len(dims) == 2 {
		cols = dims[1]
	}
	var flat []float64
	t.ConstFlatData(func(data any) {
		switch d := data.(type) {
		case []float32:
			flat = make([]float64, len(d))
			for i, v := range d {
				flat[i] = float64(v)
			}
		case []float64:
			flat = append([]float64(nil), d...)
		default:
			panic(fmt.Sprintf("flowlib.FromTensor: want a float tensor, got %s", t.Shape()))
		}
	})
	out := make([][]float64, rows)
	for i := range out {
		out[i] = flat[i*cols : (i+1)*cols]
	}
	return out
}

func flatten(rows [][]float64) []float64 {
	out := make([]float64, len(rows))
	for i, r := range rows {
		out[i] = r[0]
	}
	return out
}

// checkRows checks that x is non-empty, every row has dim values, and (when finite) that all are finite and within
// float32 range.
func checkRows(name string, x [][]float64, dim int, finite bool) error {
	if len(x) == 0 {
		return fmt.Errorf("%s: no points (want a non-empty [][]float64 with rows of %d values)", name, dim)
	}
	for i, row := range x {
		if len(row) != dim {
			return fmt.Errorf("%s: row %d has %d values, want %d", name, i, len(row), dim)
		}
		if finite {
			for j, v := range row {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return fmt.Errorf("%s: row %d, column %d is %v, want a finite number", name, i, j, v)
				}
				if math.Abs(v) > math.MaxFloat32 { // would become ±Inf in the float32 graph
					return fmt.Errorf("%s: row %d, column %d is %v, want a number within float32 range (±%.4g)",
						name, i, j, v, math.MaxFloat32)
				}
			}
		}
	}
	return nil
}

// CheckPointsHost is the host-side twin of [CheckPoints]: it returns an error naming arg unless x is non-empty,
// every row has dim values and all values are finite and within float32 range.
func CheckPointsHost(arg string, x [][]float64, dim int) error { return checkRows(arg, x, dim, true) }
