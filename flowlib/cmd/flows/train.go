package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/flowsgo/flows/flowlib/backend"
	"github.com/flowsgo/flows/flowlib/datasets"
	"github.com/flowsgo/flows/flowlib/fit"
	"github.com/flowsgo/flows/flowlib/flows"
	"github.com/flowsgo/flows/flowlib/plots"
)

func init() {
	commands["train"] = command{summary: "train a flow on a 2D data set, print the NLL curve, write figures", run: runTrain}
}

func runTrain(args []string) error {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	dataset := fs.String("dataset", "moons", "data set: "+strings.Join(datasets.Names(), ", "))
	arch := fs.String("arch", "realnvp", "architecture: "+strings.Join(flows.Archs(), ", "))
	layers := fs.Int("layers", 6, "number of flow layers")
	hidden := fs.String("hidden", "64,64", "hidden widths of each layer's network, comma-separated")
	activation := fs.String("activation", "relu", "hidden activation")
	scaleBound := fs.Float64("scale-bound", 0, "initial bound on coupling log-scales (0 = the architecture's default)")
	steps := fs.Int("steps", 2000, "training steps")
	batch := fs.Int("batch", 256, "batch size")
	lr := fs.Float64("lr", 1e-3, "Adam learning rate")
	cosine := fs.Bool("cosine", false, "cosine learning-rate decay to 0")
	clip := fs.Float64("clip", 0, "clip the gradient's global norm (0 = off)")
	nTrain := fs.Int("n", 2000, "training-set size (the training NLL is measured on it)")
	fresh := fs.Bool("fresh", true, "draw fresh training points every step (else sample batches from the fixed set)")
	nHeld := fs.Int("heldout", 5000, "held-out points")
	seed := fs.Uint64("seed", 1, "seed for data, initial weights and batches")
	every := fs.Int("every", 100, "print and score held-out points every this many steps")
	out := fs.String("out", "", "folder for figures and the trained model (empty = none)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	widths, err := parseInts(*hidden)
	if err != nil {
		return fmt.Errorf("-hidden: %w", err)
	}
	gen := func(n int, seed uint64) ([][]float64, error) { return datasets.Generate(*dataset, n, seed) }
	raw, err := gen(*nTrain, *seed)
	if err != nil {
		return err
	}
	std, err := datasets.FitStandardizer(raw)
	if err != nil {
		return err
	}
	rawHeld, err := gen(*nHeld, *seed+1)
	if err != nil {
		return err
	}
	train, held := std.Transform(raw), std.Transform(rawHeld)

	b := backend.MustChoose()
	spec := flows.New(*arch, 2).Layers(*layers).Hidden(widths...).Activation(*activation).ScaleBound(*scaleBound)
	model, err := spec.Model(b)
	if err != nil {
		return err
	}
	if err := model.SetInitSeed(int64(*seed)); err != nil {
		return err
	}
	if err := model.Init(); err != nil {
		return err
	}
	fmt.Println(model.Summary())
	baseline := datasets.GaussianBaselineNLL(2)
	opts := fit.Options{Steps: *steps, BatchSize: *batch, LearningRate: *lr, CosineDecay: *cosine, ClipNorm: *clip,
		Seed: *seed, HeldOut: held, EvalEvery: *every}
	if *fresh {
		opts.Stream = func(n int, s uint64) ([][]float64, error) {
			x, err := gen(n, s+1_000_000) // the seeds chapter 5 uses, so -seed 1 repeats its run
			if err != nil {
				return nil, err
			}
			return std.Transform(x), nil
		}
	}
	fmt.Printf("%6s %10s %10s\n", "step", "train NLL", "held-out")
	opts.OnStep = func(s fit.Step) error {
		if !math.IsNaN(s.HeldOutNLL) {
			fmt.Printf("%6d %10.4f %10.4f\n", s.Step, s.NLL, s.HeldOutNLL)
		}
		return nil
	}
	hist, err := fit.Fit(model, train, opts)
	if err != nil {
		return err
	}
	fmt.Printf("\nGaussian baseline NLL   %.4f\n", baseline)
	fmt.Printf("step-0 NLL              %.4f (held-out points, untrained flow)\n", hist.HeldOutNLL[0])
	fmt.Printf("final training NLL      %.4f (on the %d training points)\n", hist.FinalTrainNLL, len(train))
	fmt.Printf("held-out NLL            %.4f (on %d fresh points)\n", hist.FinalHeldOutNLL, len(held))
	fmt.Printf("raw-unit held-out NLL   %.4f (standardizer log-det %.4f)\n", hist.FinalHeldOutNLL-std.LogDet(), std.LogDet())
	if *dataset == "moons" {
		h, se, err := datasets.MoonsEntropy(datasets.DefaultMoonsNoise, 100_000, *seed)
		if err == nil {
			fmt.Printf("best achievable NLL     %.4f ± %.4f (true entropy); held-out gap %.4f nats\n", h, se, hist.FinalHeldOutNLL-h)
		}
	}
	fmt.Printf("speed                   %.1f ms/step over %d steps (%s)\n", hist.MsPerStep, *steps, hist.Duration.Round(1e7))
	if *out == "" {
		return nil
	}
	return writeOutputs(*out, model, spec.Spec(), train, hist)
}

func writeOutputs(dir string, model interface {
	LogProb([][]float64) ([]float64, error)
	Sample(int, uint64) ([][]float64, error)
}, spec flows.Spec, train [][]float64, hist *fit.History) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	bounds := plots.Bounds{XMin: -3, XMax: 3, YMin: -3, YMax: 3}
	const n = 200
	logp, err := model.LogProb(bounds.GridPoints(n, n))
	if err != nil {
		return err
	}
	grid, err := plots.GridFromValues(bounds, n, n, logp)
	if err != nil {
		return err
	}
	density, err := plots.Heatmap(grid, plots.Title("learned log-density"), plots.ColorLabel("log p(x)"), plots.ZRange(-8, 1))
	if err != nil {
		return err
	}
	samples, err := model.Sample(len(train), 7)
	if err != nil {
		return err
	}
	scatter, err := plots.Scatter([]plots.PointSet{{Name: "data", Points: train}, {Name: "flow samples", Points: samples}},
		plots.Title("samples vs data"), plots.XRange(-3, 3), plots.YRange(-3, 3))
	if err != nil {
		return err
	}
	steps := make([]float64, len(hist.TrainNLL))
	for i := range steps {
		steps[i] = float64(i + 1)
	}
	held := make([]float64, len(hist.EvalSteps))
	for i, s := range hist.EvalSteps {
		held[i] = float64(s)
	}
	curve, err := plots.Line([]plots.Series{{Name: "train (batch)", X: steps, Y: hist.TrainNLL},
		{Name: "held-out", X: held, Y: hist.HeldOutNLL}}, plots.Title("NLL"), plots.XLabel("step"), plots.YLabel("nats"))
	if err != nil {
		return err
	}
	for name, fig := range map[string]*plots.Figure{"density.png": density, "samples.png": scatter, "nll.svg": curve,
		"density.svg": density} {
		if err := fig.Save(filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	fmt.Println("wrote", dir)
	return nil
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		v, err := strconv.Atoi(f)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("want positive integers separated by commas, got %q", s)
		}
		out = append(out, v)
	}
	return out, nil
}
