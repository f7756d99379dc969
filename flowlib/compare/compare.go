// Package compare trains several flow architectures on the same 2-D data sets with the same budget and measures
// them side by side: held-out NLL, distance from the true entropy (where known), parameter count, training time,
// time to draw samples and time to evaluate densities. It backs chapter 6's notebook and the `flows compare`
// command, so both print the same table.
//
//	results, err := compare.Run(backend, compare.Config{Models: compare.Models("small"), Datasets: []string{"moons"}, Steps: 500})
//	compare.WriteMarkdown(os.Stdout, results)
//
// Every model sees the same points: a fresh batch from the data set's generator at every step (the same seeds for
// every model), and one held-out set per data set. Data are standardized per dimension before training, and NLLs
// are in nats per point in standardized units.
package compare

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/flowsgo/flows/flowlib"
	"github.com/flowsgo/flows/flowlib/datasets"
	"github.com/flowsgo/flows/flowlib/fit"
	"github.com/flowsgo/flows/flowlib/flows"
	"github.com/flowsgo/flows/flowlib/plots"
	"github.com/gomlx/compute"
)

// Model is one entry of a comparison: a display name and the spec it is built from.
type Model struct {
	Name string
	Spec flows.Spec
	// LearningRate overrides Config.LearningRate for this model when > 0.
	LearningRate float64
}

// Models returns the standard line-up, in chapter order: NICE, RealNVP, MAF, IAF, NSF (coupling), NSF
// (autoregressive), CNF. size "small" is sized for a notebook on 2 cores (each model trains in seconds);
// "full" is the command-line default.
func Models(size string) []Model {
	h, layers, cnfH, steps := []int{32, 32}, 4, []int{64}, 8
	if size == "full" {
		h, layers, cnfH, steps = []int{64, 64}, 6, []int{128}, 10
	}
	spec := func(b *flows.Builder) flows.Spec { return b.Spec() }
	return []Model{
		{Name: "NICE", Spec: spec(flows.NICE(2).Layers(layers).Hidden(h...))},
		{Name: "RealNVP", Spec: spec(flows.RealNVP(2).Layers(layers).Hidden(h...))},
		{Name: "MAF", Spec: spec(flows.MAF(2).Layers(layers).Hidden(h...))},
		{Name: "IAF", Spec: spec(flows.IAF(2).Layers(layers).Hidden(h...))},
		{Name: "NSF", Spec: spec(flows.NSF(2).Layers(layers).Hidden(h...))},
		{Name: "NSF-AR", Spec: spec(flows.NSFAutoregressive(2).Layers(layers).Hidden(h...))},
		{Name: "CNF", Spec: spec(flows.CNF(2).Hidden(cnfH...).Steps(steps)), LearningRate: 3e-3},
	}
}

// Config describes a comparison. Zero values take the defaults noted.
type Config struct {
	Models   []Model  // default Models("small")
	Datasets []string // names for datasets.Generate; default {"moons", "8gaussians"}
	Steps    int      // optimizer steps per model; default 500
	// BatchSize, LearningRate and CosineDecay are passed to fit.Fit (defaults 256, 1e-3, false).
	BatchSize    int
	LearningRate float64
	CosineDecay  bool
	HeldOut      int    // held-out points per data set; default 5000
	TimingPoints int    // points sampled and evaluated for the timings; default 100 000; < 0 skips the timings
	GridSize     int    // side of the density grid kept for figures; default 100 (0 < GridSize)
	Seed         uint64 // seeds data and initial weights; the same for every model
	Log          io.Writer
	// OnStep, when set, is called after every training step of every model with the model being trained (to
	// snapshot its density while it learns, say); returning an error stops that model's training with the error.
	OnStep func(model string, m *flowlib.Model, s fit.Step) error
}

// Result is one model trained on one data set.
type Result struct {
	Model, Dataset string
	Spec           flows.Spec
	Params         int
	Steps          int
	TrainNLL       float64 // mean NLL over the last 10% of training batches
	HeldOutNLL     float64
	Entropy        float64 // the data's true entropy in standardized units (the best achievable NLL); NaN if unknown
	Gap            float64 // HeldOutNLL − Entropy; NaN if unknown
	TrainTime      time.Duration
	SampleTime     time.Duration // time to draw TimingPoints samples
	DensityTime    time.Duration // time to evaluate TimingPoints log-densities
	TimingPoints   int
	Grid           plots.Grid     // log-density on Bounds, GridSize², for the figure
	Err            string         // non-empty when training failed (the row keeps what was measured)
	Trained        *flowlib.Model `json:"-"` // the trained model (nil if it could not be built)
}

// GridBounds is the square, in standardized units, where densities are drawn.
var GridBounds = plots.Bounds{XMin: -3, XMax: 3, YMin: -3, YMax: 3}

func (c *Config) defaults() error {
	if c.Models == nil {
		c.Models = Models("small")
	}
	if c.Datasets == nil {
		c.Datasets = []string{"moons", "8gaussians"}
	}
	if c.Steps == 0 {
		c.Steps = 500
	}
	if c.HeldOut == 0 {
		c.HeldOut = 5000
	}
	if c.TimingPoints == 0 {
		c.TimingPoints = 100_000
	}
	if c.GridSize == 0 {
		c.GridSize = 100
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
	if c.Steps < 0 || c.HeldOut < 0 || c.GridSize < 0 {
		return fmt.Errorf("compare: Steps, HeldOut and GridSize must be ≥ 0, got %d, %d, %d", c.Steps, c.HeldOut, c.GridSize)
	}
	if len(c.Models) == 0 || len(c.Datasets) == 0 {
		return errors.New("compare: no models or no data sets")
	}
	for _, d := range c.Datasets {
		if !slices.Contains(datasets.Names(), d) {
			return fmt.Errorf("compare: unknown data set %q, want one of %v", d, datasets.Names())
		}
	}
	return nil
}

// Data is a data set prepared for a comparison: a standardizer, a held-out set and a stream of fresh training
// batches, all in standardized units.
type Data struct {
	Name        string
	Standardize *datasets.Standardizer
	HeldOut     [][]float64
	Entropy     float64 // NaN if unknown
}

// Prepare builds the standardizer (population moments for moons, else from 200 000 points), the held-out set and
// the true entropy in standardized units where it is known: moons (datasets.MoonsEntropy), checkerboard
// (uniform on area 32: log 32), 8gaussians (Monte Carlo over the exact mixture density).
func Prepare(name string, heldOut int, seed uint64) (*Data, error) {
	d := &Data{Name: name, Entropy: math.NaN()}
	if name == "moons" {
		d.Standardize = datasets.MoonsStandardizer(datasets.DefaultMoonsNoise)
		h, _, err := datasets.MoonsEntropy(datasets.DefaultMoonsNoise, 20000, seed+17)
		if err != nil {
			return nil, err
		}
		d.Entropy = h
	} else {
		big, err := datasets.Generate(name, 200_000, seed+11)
		if err != nil {
			return nil, err
		}
		if d.Standardize, err = datasets.FitStandardizer(big); err != nil {
			return nil, err
		}
		switch name {
		case "checkerboard":
			d.Entropy = math.Log(32) + d.Standardize.LogDet()
		case "8gaussians":
			d.Entropy = eightGaussiansEntropy(big[:20000]) + d.Standardize.LogDet()
		}
	}
	raw, err := datasets.Generate(name, heldOut, seed+1<<40)
	if err != nil {
		return nil, err
	}
	d.HeldOut = d.Standardize.Transform(raw)
	return d, nil
}

// Stream returns fit.Options.Stream for the data set: fresh standardized points for every step.
func (d *Data) Stream(seed uint64) func(n int, s uint64) ([][]float64, error) {
	return func(n int, s uint64) ([][]float64, error) {
		raw, err := datasets.Generate(d.Name, n, seed+1<<20+s)
		if err != nil {
			return nil, err
		}
		return d.Standardize.Transform(raw), nil
	}
}

// eightGaussiansEntropy is −mean log p(x) under the exact 8-Gaussian mixture (raw units).
func eightGaussiansEntropy(x [][]float64) float64 {
	const r, sd = 4 / 1.414, 0.5 / 1.414
	sum := 0.0
	for _, p := range x {
		terms := make([]float64, 8)
		for k := range 8 {
			a := float64(k) * math.Pi / 4
			dx, dy := p[0]-r*math.Cos(a), p[1]-r*math.Sin(a)
			terms[k] = -(dx*dx+dy*dy)/(2*sd*sd) - math.Log(2*math.Pi*sd*sd) - math.Log(8)
		}
		m := slices.Max(terms)
		s := 0.0
		for _, t := range terms {
			s += math.Exp(t - m)
		}
		sum += m + math.Log(s)
	}
	return -sum / float64(len(x))
}

// Run trains every model on every data set and measures it. A model that fails to train is reported in its
// Result.Err and the comparison goes on; Run returns an error only for a bad configuration or data.
func Run(backend compute.Backend, cfg Config) ([]Result, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	var results []Result
	for _, name := range cfg.Datasets {
		data, err := Prepare(name, cfg.HeldOut, cfg.Seed)
		if err != nil {
			return nil, err
		}
		for _, m := range cfg.Models {
			r := One(backend, m, data, cfg)
			timing := ""
			if cfg.TimingPoints > 0 {
				timing = fmt.Sprintf("  sample %5.2fs  density %5.2fs", r.SampleTime.Seconds(), r.DensityTime.Seconds())
			}
			fmt.Fprintf(cfg.Log, "%-8s %-12s held-out NLL %.3f  train %5.1fs%s%s\n",
				r.Model, r.Dataset, r.HeldOutNLL, r.TrainTime.Seconds(), timing, errSuffix(r.Err))
			results = append(results, r)
		}
	}
	return results, nil
}

func errSuffix(e string) string {
	if e == "" {
		return ""
	}
	return "  ERROR: " + e
}

// One trains and measures one model on one prepared data set. It takes cfg as given (Run fills in the defaults
// first): set Steps; a TimingPoints or GridSize of 0 or less skips the timings or the grid.
func One(backend compute.Backend, m Model, data *Data, cfg Config) Result {
	r := Result{Model: m.Name, Dataset: data.Name, Spec: m.Spec, Steps: cfg.Steps, Entropy: data.Entropy,
		HeldOutNLL: math.NaN(), TrainNLL: math.NaN(), Gap: math.NaN(), TimingPoints: cfg.TimingPoints}
	model, err := flows.NewModel(backend, m.Spec)
	if err != nil {
		r.Err = err.Error()
		return r
	}
	r.Trained = model
	lr := cfg.LearningRate
	if m.LearningRate > 0 {
		lr = m.LearningRate
	}
	opts := fit.Options{Steps: cfg.Steps, BatchSize: cfg.BatchSize, LearningRate: lr, CosineDecay: cfg.CosineDecay,
		Seed: cfg.Seed, Stream: data.Stream(cfg.Seed), EvalEvery: cfg.Steps + 1, ClipNorm: 10}
	if cfg.OnStep != nil {
		opts.OnStep = func(s fit.Step) error { return cfg.OnStep(m.Name, model, s) }
	}
	// The training set is only used for the final training NLL: score the held-out points' first 1000 instead.
	hist, err := fit.Fit(model, data.HeldOut[:min(1000, len(data.HeldOut))], opts)
	if hist != nil {
		r.TrainTime = hist.Duration
		if n := len(hist.TrainNLL); n > 0 {
			tail := hist.TrainNLL[n-max(1, n/10):]
			s := 0.0
			for _, v := range tail {
				s += v
			}
			r.TrainNLL = s / float64(len(tail))
		}
	}
	if err != nil {
		r.Err = err.Error()
	}
	r.Params = model.NumParams()
	if r.HeldOutNLL, err = fit.MeanNLL(model, data.HeldOut); err != nil {
		r.Err = err.Error()
		return r
	}
	r.Gap = r.HeldOutNLL - r.Entropy
	if cfg.TimingPoints > 0 {
		// Compile the sampling graph first (the density graph was compiled by training's final evaluation), so the
		// timings measure running, not building.
		if _, err := model.Sample(1, cfg.Seed); err != nil {
			r.Err = err.Error()
			return r
		}
		start := time.Now()
		xs, err := model.Sample(cfg.TimingPoints, cfg.Seed+5)
		r.SampleTime = time.Since(start)
		if err != nil {
			r.Err = err.Error()
			return r
		}
		start = time.Now()
		if _, err := model.LogProb(xs); err != nil {
			r.Err = err.Error()
			return r
		}
		r.DensityTime = time.Since(start)
	}
	if cfg.GridSize > 0 {
		pts := GridBounds.GridPoints(cfg.GridSize, cfg.GridSize)
		lp, err := model.LogProb(pts)
		if err == nil {
			r.Grid, err = plots.GridFromValues(GridBounds, cfg.GridSize, cfg.GridSize, lp)
		}
		if err != nil {
			r.Err = err.Error()
		}
	}
	return r
}

// Find returns the result of a model on a data set, or nil.
func Find(results []Result, model, dataset string) *Result {
	for i := range results {
		if results[i].Model == model && results[i].Dataset == dataset {
			return &results[i]
		}
	}
	return nil
}

// Header is the table's column names, in the order of [Row].
var Header = []string{"model", "dataset", "params", "steps", "train NLL", "held-out NLL", "true entropy", "gap",
	"train s", "sample s", "density s", "timing points", "error"}

// Row formats a result as the table's cells.
func (r Result) Row() []string {
	f := func(v float64, digits int) string {
		if math.IsNaN(v) {
			return "—"
		}
		return fmt.Sprintf("%.*f", digits, v)
	}
	sample, density, points := f(r.SampleTime.Seconds(), 2), f(r.DensityTime.Seconds(), 2), fmt.Sprint(r.TimingPoints)
	if r.TimingPoints <= 0 {
		sample, density, points = "—", "—", "—"
	}
	return []string{r.Model, r.Dataset, fmt.Sprint(r.Params), fmt.Sprint(r.Steps), f(r.TrainNLL, 3), f(r.HeldOutNLL, 3),
		f(r.Entropy, 3), f(r.Gap, 3), f(r.TrainTime.Seconds(), 1), sample, density, points, r.Err}
}

// WriteCSV writes the table as CSV.
func WriteCSV(w io.Writer, results []Result) error {
	var b strings.Builder
	b.WriteString(strings.Join(Header, ",") + "\n")
	for _, r := range results {
		cells := r.Row()
		for i, c := range cells {
			if strings.ContainsAny(c, ",\"\n") {
				cells[i] = `"` + strings.ReplaceAll(c, `"`, `""`) + `"`
			}
		}
		b.WriteString(strings.Join(cells, ",") + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteMarkdown writes the table as a Markdown table (the error column only when some model failed).
func WriteMarkdown(w io.Writer, results []Result) error {
	cols := len(Header) - 1
	for _, r := range results {
		if r.Err != "" {
			cols = len(Header)
		}
	}
	var b strings.Builder
	b.WriteString("| " + strings.Join(Header[:cols], " | ") + " |\n")
	b.WriteString("|" + strings.Repeat(" --- |", cols) + "\n")
	for _, r := range results {
		b.WriteString("| " + strings.Join(r.Row()[:cols], " | ") + " |\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
