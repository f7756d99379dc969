package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/flowsgo/flows/flowlib/backend"
	"github.com/flowsgo/flows/flowlib/compare"
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
// It writes table.csv, table.md, densities.png (rows = models, columns = data sets), asymmetry.csv and
// asymmetry.png (MAF vs IAF sampling and density time against the dimension), and each trained model as
// models/<model>-<dataset>.flow.
func runCompare(args []string) error {
	fl := flag.NewFlagSet("compare", flag.ContinueOnError)
	out := fl.String("out", "", "output folder (required)")
	size := fl.String("size", "full", `model sizes: "full" (hidden 64, 64; 6 layers; CNF hidden 128, 10 RK4 steps) or "small" (the notebook's)`)
	models := fl.String("models", "", "comma-separated subset of NICE,RealNVP,MAF,IAF,NSF,NSF-AR,CNF (default all)")
	sets := fl.String("datasets", "moons,8gaussians,checkerboard", "comma-separated data sets (see datasets.Names)")
	steps := fl.Int("steps", 2000, "optimizer steps per model (the same for every model)")
	batch := fl.Int("batch", 256, "batch size")
	lr := fl.Float64("lr", 3e-3, "Adam learning rate (CNF uses its own 3e-3)")
	cosine := fl.Bool("cosine", true, "cosine learning-rate decay to 0 over the steps")
	timing := fl.Int("timing-points", 100_000, "points sampled and evaluated for the timing columns")
	heldOut := fl.Int("heldout", 20_000, "held-out points per data set")
	seed := fl.Uint64("seed", 1, "seed of data and initial weights")
	asymDims := fl.String("asym-dims", "2,4,8,16", "dimensions of the MAF/IAF timing (empty to skip)")
	asymN := fl.Int("asym-points", 20_000, "points per MAF/IAF timing")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("compare: -out DIR is required")
	}
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
				return fmt.Errorf("compare: unknown model %q in -models", name)
			}
		}
		lineup = keep
	}
	if err := os.MkdirAll(filepath.Join(*out, "models"), 0o755); err != nil {
		return err
	}
	b := backend.MustChoose()
	results, err := compare.Run(b, compare.Config{Models: lineup, Datasets: strings.Split(*sets, ","), Steps: *steps,
		BatchSize: *batch, LearningRate: *lr, CosineDecay: *cosine, HeldOut: *heldOut, TimingPoints: *timing,
		Seed: *seed, Log: os.Stdout})
	if err != nil {
		return err
	}
	var csv, md bytes.Buffer
	if err := compare.WriteCSV(&csv, results); err != nil {
		return err
	}
	if err := compare.WriteMarkdown(&md, results); err != nil {
		return err
	}
	fmt.Println()
	fmt.Print(md.String())
	for name, data := range map[string][]byte{"table.csv": csv.Bytes(), "table.md": md.Bytes()} {
		if err := os.WriteFile(filepath.Join(*out, name), data, 0o644); err != nil {
			return err
		}
	}
	for _, r := range results {
		if r.Trained != nil && r.Err == "" {
			path := filepath.Join(*out, "models", strings.ToLower(r.Model)+"-"+r.Dataset+".flow")
			if err := flows.Save(r.Trained, path); err != nil {
				return err
			}
		}
	}
	fig, err := compare.DensityGrid(results)
	if err != nil {
		return err
	}
	if err := fig.Save(filepath.Join(*out, "densities.png")); err != nil {
		return err
	}
	if *asymDims != "" {
		var dims []int
		for _, s := range strings.Split(*asymDims, ",") {
			d, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || d < 1 {
				return fmt.Errorf("compare: bad -asym-dims entry %q", s)
			}
			dims = append(dims, d)
		}
		spec := lineup[0].Spec
		for _, m := range lineup {
			if m.Name == "MAF" {
				spec = m.Spec
			}
		}
		ts, err := compare.Asymmetry(b, dims, spec.Layers, spec.Hidden, *asymN, os.Stdout)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := compare.WriteTimingsCSV(&buf, ts); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(*out, "asymmetry.csv"), buf.Bytes(), 0o644); err != nil {
			return err
		}
		fig, err := compare.AsymmetryFigure(ts)
		if err != nil {
			return err
		}
		if err := fig.Save(filepath.Join(*out, "asymmetry.png")); err != nil {
			return err
		}
	}
	fmt.Println("wrote", *out)
	return nil
}
