package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/flowsgo/flows/flowlib/backend"
	"github.com/flowsgo/flows/flowlib/compare"
	"github.com/flowsgo/flows/flowlib/datasets"
	"github.com/flowsgo/flows/flowlib/flows"
)

func init() {
	commands["compare"] = command{
		summary: "train NICE, RealNVP, MAF, IAF, NSF, NSF-AR and CNF side by side; write the table and figures",
		run:     runCompare,
	}
}

// runCompare is chapter 6's comparison at full size:
//
//	go run ./flowlib/cmd/flows compare -out out/compare [-steps 2000] [-datasets moons,8gaussians,checkerboard]
//
// It writes each trained model as models/<model>-<dataset>.flow (compare.Load reads them back), table.csv, table.md, densities.png (rows =
// models, columns = data sets), asymmetry.csv and asymmetry.png (MAF vs IAF sampling and density time against the
// dimension). Every flag and the -out folder are checked before any training; after training, a failure to write
// one output does not stop the others, and the error lists what was not written.
// runCompare is not interruptible (ctx is never cancelled): its training runs go through package compare, which
// takes no context, so Ctrl-C ends it the default way.
func runCompare(_ context.Context, args []string) error {
	fl := flag.NewFlagSet("compare", flag.ContinueOnError)
	out := fl.String("out", "", "output folder (required); checked before training")
	size := fl.String("size", "full", `model sizes: "full" (hidden 64, 64; 6 layers; CNF hidden 128, 10 RK4 steps) or "small" (the notebook's)`)
	models := fl.String("models", "", "comma-separated subset of NICE,RealNVP,MAF,IAF,NSF,NSF-AR,CNF (default all)")
	sets := fl.String("datasets", "moons,8gaussians,checkerboard", "comma-separated data sets: "+strings.Join(datasets.Names(), ", "))
	steps := fl.Int("steps", 2000, fmt.Sprintf("optimizer steps per model (the same for every model), 1 to %d", maxSteps))
	batch := fl.Int("batch", 256, fmt.Sprintf("batch size, 1 to %d", datasets.MaxPoints))
	lr := fl.Float64("lr", 3e-3, "Adam learning rate, in (0, 1] (CNF uses its own 3e-3)")
	cosine := fl.Bool("cosine", true, "cosine learning-rate decay to 0 over the steps")
	timing := fl.Int("timing-points", 100_000, fmt.Sprintf("points sampled and evaluated for the timing columns, 0 to %d (0 = no timings)", datasets.MaxPoints))
	heldOut := fl.Int("heldout", 20_000, fmt.Sprintf("held-out points per data set, 1 to %d", datasets.MaxPoints))
	seed := fl.Uint64("seed", 1, "seed of data and initial weights")
	asymDims := fl.String("asym-dims", "2,4,8,16", fmt.Sprintf("dimensions of the MAF/IAF timing, each 1 to %d (empty to skip)", maxDim))
	asymN := fl.Int("asym-points", 20_000, fmt.Sprintf("points per MAF/IAF timing, 1 to %d", datasets.MaxPoints))
	if err := fl.Parse(args); err != nil {
		return err
	}
	var bad flagErrors
	if *out == "" {
		bad.add(errors.New("-out DIR is required"))
	}
	bad.oneOf("size", *size, []string{"full", "small"})
	lineup := compare.Models(*size)
	if *models != "" {
		var keep []compare.Model
		for _, name := range strings.Split(*models, ",") {
			found := false
			for _, m := range lineup {
				if strings.EqualFold(m.Name, strings.TrimSpace(name)) {
					keep, found = append(keep, m), true
				}
			}
			if !found {
				bad.add(fmt.Errorf("-models: unknown model %q, want some of NICE,RealNVP,MAF,IAF,NSF,NSF-AR,CNF", strings.TrimSpace(name)))
			}
		}
		lineup = keep
	}
	var setNames []string
	for _, name := range strings.Split(*sets, ",") {
		name = strings.TrimSpace(name)
		bad.oneOf("datasets", name, datasets.Names())
		setNames = append(setNames, name)
	}
	bad.intIn("steps", *steps, 1, maxSteps)
	bad.intIn("batch", *batch, 1, datasets.MaxPoints)
	bad.floatIn("lr", *lr, 0, 1, false)
	bad.intIn("timing-points", *timing, 0, datasets.MaxPoints)
	bad.intIn("heldout", *heldOut, 1, datasets.MaxPoints)
	dims, err := parseInts(*asymDims, 1, maxDim)
	if err != nil {
		bad.add(fmt.Errorf("-asym-dims: %w", err))
	}
	bad.intIn("asym-points", *asymN, 1, datasets.MaxPoints)
	if len(bad) == 0 {
		bad.add(checkWritable("out", filepath.Join(*out, "models")))
	}
	if err := bad.err(); err != nil {
		return fmt.Errorf("compare: %w", err)
	}
	timingPoints := *timing
	if timingPoints == 0 {
		timingPoints = -1 // compare.Config's "no timings"; its 0 would mean the default 100 000
	}

	b, choice, err := backend.Choose()
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, choice)
	results, err := compare.Run(b, compare.Config{Models: lineup, Datasets: setNames, Steps: *steps,
		BatchSize: *batch, LearningRate: *lr, CosineDecay: *cosine, HeldOut: *heldOut, TimingPoints: timingPoints,
		Seed: *seed, Log: stdout})
	if err != nil {
		return err
	}

	// The trained models first: they are what took the time.
	var done saved
	var errs []error
	try := func(path string, write func(path string) error) {
		if err := write(path); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", path, err))
			return
		}
		done = append(done, path)
	}
	for _, r := range results {
		if r.Trained != nil && r.Err == "" {
			try(filepath.Join(*out, "models", compare.ModelFile(r.Model, r.Dataset)),
				func(path string) error { return flows.Save(r.Trained, path) })
		}
	}
	var csv, md bytes.Buffer
	try(filepath.Join(*out, "table.csv"), func(path string) error {
		if err := compare.WriteCSV(&csv, results); err != nil {
			return err
		}
		return os.WriteFile(path, csv.Bytes(), 0o644)
	})
	try(filepath.Join(*out, "table.md"), func(path string) error {
		if err := compare.WriteMarkdown(&md, results); err != nil {
			return err
		}
		fmt.Fprintln(stdout)
		fmt.Fprint(stdout, md.String())
		return os.WriteFile(path, md.Bytes(), 0o644)
	})
	try(filepath.Join(*out, "densities.png"), func(path string) error {
		fig, err := compare.DensityGrid(results)
		if err != nil {
			return err
		}
		return fig.Save(path)
	})
	if len(dims) > 0 {
		spec := lineup[0].Spec
		for _, m := range lineup {
			if m.Name == "MAF" {
				spec = m.Spec
			}
		}
		ts, err := compare.Asymmetry(b, dims, spec.Layers, spec.Hidden, *asymN, stdout)
		if err != nil {
			errs = append(errs, fmt.Errorf("MAF/IAF timing: %w", err))
		} else {
			try(filepath.Join(*out, "asymmetry.csv"), func(path string) error {
				var buf bytes.Buffer
				if err := compare.WriteTimingsCSV(&buf, ts); err != nil {
					return err
				}
				return os.WriteFile(path, buf.Bytes(), 0o644)
			})
			try(filepath.Join(*out, "asymmetry.png"), func(path string) error {
				fig, err := compare.AsymmetryFigure(ts)
				if err != nil {
					return err
				}
				return fig.Save(path)
			})
		}
	}
	done.report(stdout)
	if len(errs) > 0 {
		return fmt.Errorf("compare: wrote %d outputs in %s; not written: %w", len(done), *out, errors.Join(errs...))
	}
	return nil
}
