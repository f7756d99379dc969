package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/flowsgo/flows/flowlib"
	"github.com/flowsgo/flows/flowlib/backend"
	"github.com/flowsgo/flows/flowlib/datasets"
	"github.com/flowsgo/flows/flowlib/fit"
	"github.com/flowsgo/flows/flowlib/flows"
	"github.com/flowsgo/flows/flowlib/nn"
	"github.com/flowsgo/flows/flowlib/plots"
	"github.com/gomlx/compute"
)

func init() {
	commands["train"] = command{summary: "train a flow on a 2D data set, print the NLL curve, write figures", run: runTrain,
		interruptible: true}
}

// runTrain trains one model (or one per -seeds entry). When ctx is cancelled (Ctrl-C), the fit stops after the
// current step and the model trained so far is saved to -out, if given, before the interruption is reported.
func runTrain(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	dataset := fs.String("dataset", "moons", "data set: "+strings.Join(datasets.Names(), ", "))
	arch := fs.String("arch", "realnvp", "architecture: "+strings.Join(flows.Archs(), ", "))
	// -layers, -activation and -mask-shift default to the architecture's own (flows.New), so they are applied only
	// when given.
	layers := fs.Int("layers", 0, fmt.Sprintf("number of flow layers, 1 to %d (default: the architecture's, 6; cnf 1)", maxLayers))
	hidden := fs.String("hidden", "64,64", fmt.Sprintf("hidden widths of each layer's network, comma-separated, each 1 to %d", maxWidth))
	activation := fs.String("activation", "", "hidden activation: "+strings.Join(nn.Activations, ", ")+
		" (default: the architecture's, relu; cnf tanh)")
	headInit := fs.Float64("head-init", 0, "RealNVP/NICE: start the conditioners' output layers at U(±h/√fan_in) instead "+
		"of zero, h in [0, 10] (0 = zero: the flow starts as the identity)")
	maskShift := fs.Int("mask-shift", 0, "RealNVP/NICE: layer i uses the alternating mask of i + mask-shift, 0 or 1 "+
		"(default: the architecture's, 1; 0 = the order before it became 1)")
	scaleBound := fs.Float64("scale-bound", 0, "initial bound on coupling log-scales, in (0, 100] (0 = the architecture's default)")
	steps := fs.Int("steps", 2000, fmt.Sprintf("training steps, 1 to %d", maxSteps))
	batch := fs.Int("batch", 256, fmt.Sprintf("batch size, 1 to %d", datasets.MaxPoints))
	// The defaults are chapter 5's recipe: warmup and weight averaging make its result depend little on the seed
	// (issue #14: `-seeds 1,2,3,4,5` prints the table chapter 5 draws).
	lr := fs.Float64("lr", 3e-3, "Adam learning rate (after the warmup), in (0, 1]")
	cosine := fs.Bool("cosine", false, "cosine learning-rate decay to 0")
	clip := fs.Float64("clip", 0, "clip the gradient's global norm to this, ≥ 0 (0 = off)")
	warmup := fs.Int("warmup", 200, "raise the learning rate linearly over this many first steps, ≥ 0 (0 = off)")
	adamEps := fs.Float64("adam-eps", 0, "Adam's ε, ≥ 0 (0 = GoMLX's 1e-7; PyTorch's is 1e-8)")
	ema := fs.Float64("ema", 0.995, "average the weights (Polyak): decay in [0, 1); scores and the saved model use "+
		"the average (0 = off: the last weights)")
	nTrain := fs.Int("n", 2000, fmt.Sprintf("training-set size, 2 to %d (the training NLL is measured on it)", datasets.MaxPoints))
	fresh := fs.Bool("fresh", true, "draw fresh training points every step (else sample batches from the fixed set)")
	nHeld := fs.Int("heldout", 5000, fmt.Sprintf("held-out points, 1 to %d", datasets.MaxPoints))
	seed := fs.Uint64("seed", 1, "seed for data, initial weights and batches")
	seeds := fs.String("seeds", "", "instead of one run, train once per seed in this comma-separated list (e.g. 1,2,3,4,5) "+
		"and print a table of final training and held-out NLL with their mean and spread")
	table := fs.String("table", "", "with -seeds: also write the table as JSON to this file, with the command line "+
		"and the backend that made it (chapter 5 draws the committed one)")
	every := fs.Int("every", 100, "print and score held-out points every this many steps, ≥ 1")
	out := fs.String("out", "", "folder for the trained model (model.flow) and figures (empty = none); checked before training")
	exportDir := fs.String("export-dir", "", "write the run in bench/README.md's interchange format to this folder: initial "+
		"and final weights (RealNVP), the exact standardized stream, held-out and training points, and the curve "+
		"(with -seeds, one subfolder seed-N per seed)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	// Every flag is checked before any work or output; a bad -out would otherwise fail only after training.
	var bad flagErrors
	bad.oneOf("dataset", *dataset, datasets.Names())
	bad.oneOf("arch", strings.ToLower(*arch), flows.Archs())
	if given["layers"] {
		bad.intIn("layers", *layers, 1, maxLayers)
	}
	widths, err := parseInts(*hidden, 1, maxWidth)
	if err != nil {
		bad.add(fmt.Errorf("-hidden: %w", err))
	}
	if given["activation"] {
		bad.oneOf("activation", strings.ToLower(*activation), nn.Activations)
	}
	bad.floatIn("scale-bound", *scaleBound, 0, 100, true)
	bad.floatIn("head-init", *headInit, 0, 10, true)
	if given["mask-shift"] {
		bad.intIn("mask-shift", *maskShift, 0, 1)
	}
	if a := strings.ToLower(*arch); a != "realnvp" && a != "nice" {
		// Only their builders read these; another architecture would save them in its spec without effect.
		if given["mask-shift"] {
			bad.add(fmt.Errorf("-mask-shift: applies to -arch realnvp and nice only; got -arch %s", *arch))
		}
		if *headInit != 0 {
			bad.add(fmt.Errorf("-head-init: applies to -arch realnvp and nice only; got -arch %s", *arch))
		}
	}
	bad.intIn("steps", *steps, 1, maxSteps)
	bad.intIn("batch", *batch, 1, datasets.MaxPoints)
	bad.floatIn("lr", *lr, 0, 1, false)
	bad.floatIn("clip", *clip, 0, math.MaxFloat64, true)
	bad.intIn("warmup", *warmup, 0, maxSteps)
	bad.floatIn("adam-eps", *adamEps, 0, 1, true)
	if !(*ema >= 0 && *ema < 1) {
		bad.add(fmt.Errorf("-ema %v: want a number in [0, 1)", *ema))
	}
	bad.intIn("n", *nTrain, 2, datasets.MaxPoints)
	bad.intIn("heldout", *nHeld, 1, datasets.MaxPoints)
	bad.intIn("every", *every, 1, maxSteps)
	var seedList []int
	if *seeds != "" {
		if seedList, err = parseInts(*seeds, 1, math.MaxInt32); err != nil {
			bad.add(fmt.Errorf("-seeds: %w", err))
		}
		if *out != "" {
			bad.add(errors.New("-seeds: writes no model or figures; leave -out empty"))
		}
	} else if *table != "" {
		bad.add(errors.New("-table: writes the table of a -seeds run; give -seeds"))
	}
	spec := flows.New(*arch, 2).Hidden(widths...).ScaleBound(*scaleBound).HeadInit(*headInit)
	if given["layers"] {
		spec.Layers(*layers)
	}
	if given["activation"] {
		spec.Activation(*activation)
	}
	if given["mask-shift"] {
		spec.MaskShift(*maskShift)
	}
	if len(bad) == 0 {
		_, err := flows.Build(spec.Spec()) // what the flags cannot tell alone, e.g. a width an architecture refuses
		bad.add(err)
	}
	if *exportDir != "" {
		if strings.ToLower(*arch) != "realnvp" {
			bad.add(fmt.Errorf("-export-dir: the interchange format holds RealNVP weights; got -arch %s", *arch))
		}
		if !*fresh {
			bad.add(errors.New("-export-dir: the interchange format holds a stream of fresh batches; set -fresh"))
		}
	}
	if len(bad) == 0 && *out != "" {
		bad.add(checkWritable("out", *out))
	}
	if len(bad) == 0 && *exportDir != "" {
		bad.add(checkWritable("export-dir", *exportDir))
	}
	if len(bad) == 0 && *table != "" {
		bad.add(checkWritable("table", filepath.Dir(*table)))
	}
	if err := bad.err(); err != nil {
		return fmt.Errorf("train: %w", err)
	}

	cfg := trainConfig{ctx: ctx, dataset: *dataset, spec: spec.Spec(), steps: *steps, batch: *batch, lr: *lr, cosine: *cosine,
		clip: *clip, nTrain: *nTrain, nHeld: *nHeld, fresh: *fresh, every: *every, exportDir: *exportDir,
		warmup: *warmup, adamEps: *adamEps, ema: *ema}
	b, choice, err := backend.Choose()
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, choice)
	if len(seedList) > 0 {
		t, err := seedTable(b, cfg, seedList)
		if err != nil || *table == "" {
			return err
		}
		t.Command = "flows train " + strings.Join(args, " ")
		t.Backend = choice.Config
		if err := t.Write(*table); err != nil {
			return fmt.Errorf("train: -table: %w", err)
		}
		fmt.Fprintf(stdout, "wrote the table to %s\n", *table)
		return nil
	}

	fmt.Fprintf(stdout, "%6s %10s %10s\n", "step", "train NLL", "held-out")
	cfg.onStep = func(s fit.Step) error {
		if !math.IsNaN(s.HeldOutNLL) {
			fmt.Fprintf(stdout, "%6d %10.4f %10.4f\n", s.Step, s.NLL, s.HeldOutNLL)
		}
		return nil
	}
	run, err := trainOnce(b, cfg, *seed, true)
	if err != nil && run != nil && run.hist != nil && errors.Is(err, ctx.Err()) {
		// Interrupted: the model holds the steps completed so far; that work is kept, not thrown away.
		done := len(run.hist.TrainNLL)
		if *out == "" {
			return fmt.Errorf("train: interrupted after step %d of %d; nothing saved (no -out): %w", done, *steps, err)
		}
		path := filepath.Join(*out, "model.flow")
		if serr := flows.Save(run.model, path); serr != nil {
			return fmt.Errorf("train: interrupted after step %d of %d, and saving the model failed: %w", done, *steps,
				errors.Join(err, serr))
		}
		fmt.Fprintf(stdout, "interrupted after step %d of %d: saved the model trained so far to %s\n", done, *steps, path)
		return fmt.Errorf("train: interrupted after step %d of %d (the model trained so far is in %s): %w", done, *steps, path, err)
	}
	if err != nil {
		// Fit keeps the last good parameters: keep them on disk too, for a look at what went wrong.
		if run != nil && *out != "" {
			path := filepath.Join(*out, "model.flow")
			if serr := flows.Save(run.model, path); serr == nil {
				return fmt.Errorf("%w (the model with its last good parameters is in %s)", err, path)
			}
		}
		return err
	}
	hist, std := run.hist, run.std
	fmt.Fprintf(stdout, "\nGaussian baseline NLL   %.4f\n", datasets.GaussianBaselineNLL(2))
	fmt.Fprintf(stdout, "step-0 NLL              %.4f (held-out points, untrained flow)\n", hist.HeldOutNLL[0])
	fmt.Fprintf(stdout, "final training NLL      %.4f (on the %d training points)\n", hist.FinalTrainNLL, len(run.train))
	fmt.Fprintf(stdout, "held-out NLL            %.4f (on %d fresh points)\n", hist.FinalHeldOutNLL, *nHeld)
	fmt.Fprintf(stdout, "raw-unit held-out NLL   %.4f (standardizer log-det %.4f)\n", hist.FinalHeldOutNLL-std.LogDet(), std.LogDet())
	if *dataset == "moons" {
		h, se, err := datasets.MoonsEntropy(datasets.DefaultMoonsNoise, 100_000, *seed)
		if err == nil {
			fmt.Fprintf(stdout, "best achievable NLL     %.4f ± %.4f (true entropy); held-out gap %.4f nats\n", h, se, hist.FinalHeldOutNLL-h)
		}
	}
	fmt.Fprintf(stdout, "speed                   %.1f ms/step over %d steps (%s)\n", hist.MsPerStep, *steps, hist.Duration.Round(1e7))
	if *out == "" {
		return nil
	}
	return writeOutputs(*out, run.model, run.train, hist)
}

// trainConfig is what one training run needs besides its seed.
type trainConfig struct {
	ctx                         context.Context // cancels the fit between steps
	dataset                     string
	spec                        flows.Spec
	steps, batch, nTrain, nHeld int
	every                       int
	lr, clip, adamEps, ema      float64
	warmup                      int
	cosine, fresh               bool
	onStep                      func(fit.Step) error
	exportDir                   string // when set, the run is written there in the interchange format
}

// trainRun is one trained model with its data.
type trainRun struct {
	model       *flowlib.Model
	hist        *fit.History
	std         *datasets.Standardizer
	train, held [][]float64
}

// trainOnce trains one model: seed draws the training points (seed), the held-out points (seed+1), the initial
// weights and the batches (fresh points from seed 1 000 000 + step on), so -seed 1 repeats chapter 5's run. With
// summary, the model's one-line-per-layer summary is printed first. On a training error the run is returned too,
// holding the last good parameters.
func trainOnce(b compute.Backend, c trainConfig, seed uint64, summary bool) (*trainRun, error) {
	gen := func(n int, seed uint64) ([][]float64, error) { return datasets.Generate(c.dataset, n, seed) }
	raw, err := gen(c.nTrain, seed)
	if err != nil {
		return nil, err
	}
	std, err := datasets.FitStandardizer(raw)
	if err != nil {
		return nil, err
	}
	rawHeld, err := gen(c.nHeld, seed+1)
	if err != nil {
		return nil, err
	}
	run := &trainRun{std: std, train: std.Transform(raw), held: std.Transform(rawHeld)}
	if run.model, err = flows.NewModel(b, c.spec); err != nil {
		return nil, err
	}
	if err := run.model.SetInitSeed(int64(seed)); err != nil {
		return nil, err
	}
	if err := run.model.Init(); err != nil {
		return nil, err
	}
	if summary {
		fmt.Fprintln(stdout, run.model.Summary())
	}
	var export *exportRun
	if c.exportDir != "" {
		check := run.held[:min(exportCheckPoints, len(run.held))]
		export = &exportRun{train: run.train, held: run.held, std: std, seed: seed}
		if export.initial, err = realNVPWeights(run.model, c.spec.Activation, check); err != nil {
			return nil, err
		}
	}
	opts := fit.Options{Steps: c.steps, BatchSize: c.batch, LearningRate: c.lr, CosineDecay: c.cosine, ClipNorm: c.clip,
		WarmupSteps: c.warmup, AdamEpsilon: c.adamEps, EMA: c.ema, Seed: seed, HeldOut: run.held, EvalEvery: c.every, OnStep: c.onStep, Context: c.ctx}
	if c.fresh {
		opts.Stream = func(n int, s uint64) ([][]float64, error) {
			x, err := gen(n, s+1_000_000) // the seeds chapter 5 uses, so -seed 1 repeats its run
			if err != nil {
				return nil, err
			}
			batch := std.Transform(x)
			if export != nil {
				export.stream = append(export.stream, batch)
			}
			return batch, nil
		}
	}
	run.hist, err = fit.Fit(run.model, run.train, opts)
	if err != nil {
		return run, err
	}
	if export != nil {
		export.hist = run.hist
		if export.final, err = realNVPWeights(run.model, c.spec.Activation, export.initial.Check.X); err != nil {
			return run, err
		}
		if err := export.write(c.exportDir); err != nil {
			return run, err
		}
		fmt.Fprintf(stdout, "wrote the interchange files (weights, data, curve) to %s\n", c.exportDir)
	}
	return run, nil
}

// seedTable trains one model per seed and prints, for each, the final training and held-out NLL, then their mean
// and spread (max − min): how reliably a configuration reaches its number, rather than one lucky run.
func seedTable(b compute.Backend, c trainConfig, seeds []int) (*fit.SeedTable, error) {
	fmt.Fprintf(stdout, "%6s %10s %10s %9s\n", "seed", "train NLL", "held-out", "ms/step")
	t := &fit.SeedTable{}
	var trainNLL, heldNLL []float64
	for _, s := range seeds {
		c := c
		if c.exportDir != "" {
			c.exportDir = filepath.Join(c.exportDir, fmt.Sprintf("seed-%d", s))
		}
		run, err := trainOnce(b, c, uint64(s), false)
		if err != nil {
			return nil, fmt.Errorf("seed %d: %w", s, err)
		}
		h := run.hist
		trainNLL, heldNLL = append(trainNLL, h.FinalTrainNLL), append(heldNLL, h.FinalHeldOutNLL)
		t.Rows = append(t.Rows, fit.SeedRow{Seed: s, TrainNLL: h.FinalTrainNLL, HeldOut: h.FinalHeldOutNLL, MsPerStep: h.MsPerStep})
		fmt.Fprintf(stdout, "%6d %10.4f %10.4f %9.1f\n", s, h.FinalTrainNLL, h.FinalHeldOutNLL, h.MsPerStep)
	}
	stats := func(v []float64) (mean, spread float64) {
		lo, hi := v[0], v[0]
		for _, x := range v {
			mean += x / float64(len(v))
			lo, hi = min(lo, x), max(hi, x)
		}
		return mean, hi - lo
	}
	t.TrainMean, t.TrainSpread = stats(trainNLL)
	t.HeldOutMean, t.HeldOutSpread = stats(heldNLL)
	t.TrainMax = slices.Max(trainNLL)
	fmt.Fprintf(stdout, "%6s %10.4f %10.4f\n%6s %10.4f %10.4f\n", "mean", t.TrainMean, t.HeldOutMean, "spread",
		t.TrainSpread, t.HeldOutSpread)
	fmt.Fprintf(stdout, "SEEDS_TRAIN_MAX=%.4f\nSEEDS_HELDOUT_MEAN=%.4f\nSEEDS_HELDOUT_SPREAD=%.4f\n", t.TrainMax,
		t.HeldOutMean, t.HeldOutSpread)
	return t, nil
}

// writeOutputs saves the trained model first (the expensive result), then each figure. A failure
// does not stop the rest: everything that could be written is, listed on stdout, and the error
// names what could not.
func writeOutputs(dir string, model *flowlib.Model, train [][]float64, hist *fit.History) error {
	var done saved
	var errs []error
	try := func(name string, write func(path string) error) {
		path := filepath.Join(dir, name)
		if err := write(path); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", path, err))
			return
		}
		done = append(done, path)
	}
	try("model.flow", func(path string) error { return flows.Save(model, path) })

	bounds := plots.Bounds{XMin: -3, XMax: 3, YMin: -3, YMax: 3}
	const n = 200
	density := func() (*plots.Figure, error) {
		logp, err := model.LogProb(bounds.GridPoints(n, n))
		if err != nil {
			return nil, err
		}
		grid, err := plots.GridFromValues(bounds, n, n, logp)
		if err != nil {
			return nil, err
		}
		return plots.Heatmap(grid, plots.Title("learned log-density"), plots.ColorLabel("log p(x)"), plots.ZRange(-8, 1))
	}
	scatter := func() (*plots.Figure, error) {
		samples, err := model.Sample(len(train), 7)
		if err != nil {
			return nil, err
		}
		return plots.Scatter([]plots.PointSet{{Name: "data", Points: train}, {Name: "flow samples", Points: samples}},
			plots.Title("samples vs data"), plots.XRange(-3, 3), plots.YRange(-3, 3))
	}
	curve := func() (*plots.Figure, error) {
		steps := make([]float64, len(hist.TrainNLL))
		for i := range steps {
			steps[i] = float64(i + 1)
		}
		held := make([]float64, len(hist.EvalSteps))
		for i, s := range hist.EvalSteps {
			held[i] = float64(s)
		}
		return plots.Line([]plots.Series{{Name: "train (batch)", X: steps, Y: hist.TrainNLL},
			{Name: "held-out", X: held, Y: hist.HeldOutNLL}}, plots.Title("NLL"), plots.XLabel("step"), plots.YLabel("nats"))
	}
	for _, f := range []struct {
		make  func() (*plots.Figure, error)
		names []string
	}{{density, []string{"density.png", "density.svg"}}, {scatter, []string{"samples.png"}}, {curve, []string{"nll.svg"}}} {
		fig, err := f.make()
		for _, name := range f.names {
			try(name, func(path string) error {
				if err != nil {
					return err
				}
				return fig.Save(path)
			})
		}
	}
	done.report(stdout)
	if len(errs) > 0 {
		return fmt.Errorf("train: wrote %d of %d outputs in %s; not written: %w", len(done), len(done)+len(errs), dir, errors.Join(errs...))
	}
	return nil
}
