package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/flowsgo/flows/flowlib/backend"
	"github.com/flowsgo/flows/flowlib/bijectors"
	"github.com/flowsgo/flows/flowlib/datasets"
	"github.com/flowsgo/flows/flowlib/fit"
	"github.com/flowsgo/flows/flowlib/precomputed"
)

// -export-dir writes files of exactly the sizes and layout bench/README.md documents: the stream is the batches
// fit was fed, in order; the weights, read back and run through an independent host-side RealNVP (as
// bench/realnvp_torch.py runs them), give the log-densities of their check block; the curve has one row per step.
func TestExportInterchange(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	const steps, batch, nTrain, nHeld, seed = 5, 16, 50, 20, 3
	out, err := runCmd(t, "train", "-steps", "5", "-batch", "16", "-n", "50", "-heldout", "20", "-every", "2",
		"-seed", "3", "-export-dir", dir)
	if err != nil {
		t.Fatalf("train: %v\n%s", err, out)
	}

	var man dataManifest
	readJSON(t, filepath.Join(dir, exportData), &man)
	if man.Format != dataFormat || man.Dim != 2 || man.Steps != steps || man.Batch != batch ||
		man.HeldOutN != nHeld || man.TrainN != nTrain || man.Seed != seed {
		t.Fatalf("manifest %+v: want format %s, dim 2, %d steps of %d, %d held-out, %d training points, seed %d",
			man, dataFormat, steps, batch, nHeld, nTrain, seed)
	}
	raw, err := datasets.Moons(nTrain, datasets.DefaultMoonsNoise, seed)
	if err != nil {
		t.Fatal(err)
	}
	std, err := datasets.FitStandardizer(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(man.Standardizer.Mean, std.Mean) || !slices.Equal(man.Standardizer.Std, std.Std) {
		t.Errorf("standardizer %+v, want mean %v std %v", man.Standardizer, std.Mean, std.Std)
	}
	rawHeld, err := datasets.Moons(nHeld, datasets.DefaultMoonsNoise, seed+1)
	if err != nil {
		t.Fatal(err)
	}
	var wantStream [][]float64
	for step := 1; step <= steps; step++ { // fit's stream seed for step k, plus train's offset
		b, err := datasets.Moons(batch, datasets.DefaultMoonsNoise, seed*1_000_003+uint64(step)+1_000_000)
		if err != nil {
			t.Fatal(err)
		}
		wantStream = append(wantStream, std.Transform(b)...)
	}
	for _, f := range []struct {
		name string
		want [][]float64
	}{{man.Stream, wantStream}, {man.HeldOut, std.Transform(rawHeld)}, {man.Train, std.Transform(raw)}} {
		got, err := readF32(filepath.Join(dir, f.name), len(f.want), 2) // checks the size: rows·2·4 bytes
		if err != nil {
			t.Fatal(err)
		}
		for i := range got {
			for j := range got[i] {
				if got[i][j] != float64(float32(f.want[i][j])) {
					t.Fatalf("%s: point %d coordinate %d = %v, want float32(%v)", f.name, i, j, got[i][j], f.want[i][j])
				}
			}
		}
	}

	for _, name := range []string{exportWeights, exportFinalWeights} {
		var w weightsFile
		readJSON(t, filepath.Join(dir, name), &w)
		if w.Format != weightsFormat || len(w.Layers) != 6 || w.Check == nil || len(w.Check.X) != exportCheckPoints {
			t.Fatalf("%s: format %q, %d layers, check %v: want %s, 6 layers, %d check points", name, w.Format,
				len(w.Layers), w.Check != nil, weightsFormat, exportCheckPoints)
		}
		for i, l := range w.Layers {
			if want := bijectors.AlternatingMask(2, i+1); !slices.Equal(l.Mask, want) { // MaskShift 1, the default
				t.Errorf("%s: layer %d mask %v, want %v", name, i, l.Mask, want)
			}
			checkDense(t, name, i, "hidden 0", l.Hidden[0], 2, 64)
			checkDense(t, name, i, "hidden 1", l.Hidden[1], 64, 64)
			checkDense(t, name, i, "scale", l.Scale, 64, 2)
			checkDense(t, name, i, "shift", l.Shift, 64, 2)
			if len(l.Hidden) != 2 || len(l.LogScaleBound) != 2 {
				t.Errorf("%s: layer %d: %d hidden layers, log_scale_bound %v; want 2 and 2 values", name, i,
					len(l.Hidden), l.LogScaleBound)
			}
		}
		moved := false
		for i, x := range w.Check.X {
			got, want := hostLogProb(w, x), w.Check.LogProb[i]
			if math.Abs(got-want) > 1e-4 {
				t.Errorf("%s: check point %d %v: log p from the file's weights %v, flowlib's %v (tol 1e-4)", name, i,
					x, got, want)
			}
			base := -0.5*(x[0]*x[0]+x[1]*x[1]) - math.Log(2*math.Pi)
			moved = moved || math.Abs(want-base) > 1e-3
		}
		if name == exportFinalWeights && !moved {
			t.Errorf("%s: the trained flow is still the identity on its check points, so the check tests nothing", name)
		}
	}

	f, err := os.Open(filepath.Join(dir, exportCurve))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != steps+2 || !slices.Equal(rows[0], []string{"step", "batch_nll", "heldout_nll"}) {
		t.Fatalf("curve: %d rows starting %v, want a header and %d rows", len(rows), rows[0], steps+1)
	}
	for i, r := range rows[1:] {
		wantHeld := i == 0 || i%2 == 0 || i == steps
		if r[0] != string(rune('0'+i)) || (r[1] == "") != (i == 0) || (r[2] != "") != wantHeld {
			t.Errorf("curve row %d = %v: want step %d, a batch NLL after step 0, a held-out NLL at steps 0, 2, 4, 5", i, r, i)
		}
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func checkDense(t *testing.T, file string, layer int, what string, d dense, in, out int) {
	t.Helper()
	if len(d.W) != in || len(d.B) != out {
		t.Errorf("%s: layer %d %s: W has %d rows, b %d values; want W [%d][%d], b [%d]", file, layer, what, len(d.W),
			len(d.B), in, out, out)
		return
	}
	for _, row := range d.W {
		if len(row) != out {
			t.Errorf("%s: layer %d %s: a W row has %d values, want %d", file, layer, what, len(row), out)
			return
		}
	}
}

// hostLogProb is the RealNVP log-density computed from the interchange file alone, in float64, as the format
// documents it: layers applied last to first (the density direction), each z = m⊙x + (1−m)⊙(x·exp(s) + t) with
// s = exp(γ)·tanh(ŝ), (ŝ, t) from a ReLU MLP of m⊙x computing h @ W + b.
func hostLogProb(w weightsFile, x []float64) float64 {
	apply := func(d dense, h []float64) []float64 {
		out := make([]float64, len(d.B))
		for j := range out {
			out[j] = float64(d.B[j])
			for i, v := range h {
				out[j] += v * float64(d.W[i][j])
			}
		}
		return out
	}
	z, logDet := slices.Clone(x), 0.0
	for i := len(w.Layers) - 1; i >= 0; i-- {
		l := w.Layers[i]
		h := make([]float64, len(z))
		for j, keep := range l.Mask {
			if keep {
				h[j] = z[j]
			}
		}
		for _, d := range l.Hidden {
			h = apply(d, h)
			for j := range h {
				h[j] = max(h[j], 0)
			}
		}
		sHat, t := apply(l.Scale, h), apply(l.Shift, h)
		for j, keep := range l.Mask {
			if !keep {
				s := math.Exp(float64(l.LogScaleBound[j])) * math.Tanh(sHat[j])
				z[j] = z[j]*math.Exp(s) + t[j]
				logDet += s
			}
		}
	}
	return -0.5*(z[0]*z[0]+z[1]*z[1]) - math.Log(2*math.Pi) + logDet
}

// -table writes the numbers the -seeds table prints, with the command line that made them.
func TestSeedTableFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seeds.json")
	args := []string{"-seeds", "1,2", "-steps", "10", "-batch", "32", "-n", "100", "-heldout", "50", "-table", path}
	out, err := runCmd(t, "train", args...)
	if err != nil {
		t.Fatalf("train: %v\n%s", err, out)
	}
	tab, err := fit.ReadSeedTable(path)
	if err != nil {
		t.Fatal(err)
	}
	if tab.Command != "flows train -seeds 1,2 -steps 10 -batch 32 -n 100 -heldout 50 -table "+path || tab.Backend == "" {
		t.Errorf("command %q, backend %q", tab.Command, tab.Backend)
	}
	if len(tab.Rows) != 2 || tab.Rows[0].Seed != 1 || tab.Rows[1].Seed != 2 {
		t.Fatalf("rows %+v, want seeds 1 and 2", tab.Rows)
	}
	for _, r := range tab.Rows {
		line := fmt.Sprintf("%6d %10.4f %10.4f", r.Seed, r.TrainNLL, r.HeldOut)
		if !strings.Contains(out, line) {
			t.Errorf("the file's row %+v is not the printed one (%q) in:\n%s", r, line, out)
		}
	}
	want := fmt.Sprintf("SEEDS_TRAIN_MAX=%.4f\nSEEDS_HELDOUT_MEAN=%.4f\nSEEDS_HELDOUT_SPREAD=%.4f\n", tab.TrainMax,
		tab.HeldOutMean, tab.HeldOutSpread)
	if !strings.Contains(out, want) || tab.TrainMax != max(tab.Rows[0].TrainNLL, tab.Rows[1].TrainNLL) {
		t.Errorf("summary %+v does not match the printed one:\n%s", tab, out)
	}
}

// The committed table is what its command computes: re-run its first seed with the same flags on the same backend
// and find the same numbers (to the 4 decimals the table prints). A full 2000-step run: skipped with -short, and
// on another backend, whose float32 rounding sends a run elsewhere.
func TestChapter5SeedTable(t *testing.T) {
	tab, err := fit.ReadSeedTableFS(precomputed.Chapter5(), "seeds.json")
	if err != nil {
		t.Fatal(err)
	}
	args := strings.Fields(tab.Command)
	if len(args) < 4 || args[0] != "flows" || args[1] != "train" || args[2] != "-seeds" || args[3] != "1,2,3,4,5" {
		t.Fatalf("command %q: want flows train -seeds 1,2,3,4,5 ...", tab.Command)
	}
	if testing.Short() {
		t.Skip("re-runs one seed for 2000 steps")
	}
	if c := backend.Decide(); c.Config != tab.Backend {
		t.Skipf("the table was computed on %s; this run is on %s", tab.Backend, c.Config)
	}
	rerun := []string{"-seeds", strconv.Itoa(tab.Rows[0].Seed)}
	for i := 4; i < len(args); i++ {
		if args[i] == "-table" {
			i++ // the rerun writes no file
			continue
		}
		rerun = append(rerun, args[i])
	}
	out, err := runCmd(t, "train", rerun...)
	if err != nil {
		t.Fatalf("train %v: %v\n%s", rerun, err, out)
	}
	r := tab.Rows[0]
	if want := fmt.Sprintf("%6d %10.4f %10.4f", r.Seed, r.TrainNLL, r.HeldOut); !strings.Contains(out, want) {
		t.Errorf("flows train %v printed\n%s\nwant the committed row %q", strings.Join(rerun, " "), out, want)
	}
}
