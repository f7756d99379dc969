package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowsgo/flows/flowlib/backend"
	"github.com/flowsgo/flows/flowlib/flows"
)

// runCmd runs a command in-process and returns its error and what it printed on stdout.
func runCmd(t *testing.T, name string, args ...string) (string, error) {
	t.Helper()
	return runCmdContext(t, context.Background(), name, args...)
}

// runCmdContext is runCmd with the context that Ctrl-C would cancel.
func runCmdContext(t *testing.T, ctx context.Context, name string, args ...string) (string, error) {
	t.Helper()
	var buf bytes.Buffer
	old := stdout
	stdout = &buf
	defer func() { stdout = old }()
	err := commands[name].run(ctx, args)
	return buf.String(), err
}

// notADir returns a path under a regular file: creating it fails for every user, root included
// (which /proc/forbidden or a chmod-ed folder would not guarantee everywhere).
func notADir(t *testing.T) string {
	f := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(f, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(f, "out")
}

// Bad flags and an unwritable -out fail at once, before any output and before any work: each case
// would otherwise train (or print the table header) first. None of these runs builds a backend.
func TestBadFlags(t *testing.T) {
	bad := notADir(t)
	cases := []struct {
		cmd  string
		args []string
		want []string // every one must be in the error
	}{
		{"train", []string{"-steps", "0"}, []string{"train: -steps 0: want an integer in [1, 10000000]"}},
		{"train", []string{"-steps", "-5"}, []string{"-steps -5: want an integer in [1,"}},
		{"train", []string{"-steps", "1000000000"}, []string{"-steps 1000000000"}},
		{"train", []string{"-batch", "0"}, []string{"-batch 0: want an integer in [1, 10000000]"}},
		{"train", []string{"-batch", "-1"}, []string{"-batch -1"}},
		{"train", []string{"-lr", "0"}, []string{"-lr 0: want a number in (0, 1]"}},
		{"train", []string{"-lr", "NaN"}, []string{"-lr NaN: want a number in (0, 1]"}},
		{"train", []string{"-lr", "Inf"}, []string{"-lr +Inf"}},
		{"train", []string{"-lr", "-1e-3"}, []string{"-lr -0.001"}},
		{"train", []string{"-clip", "-1"}, []string{"-clip -1: want a number in [0,"}},
		{"train", []string{"-arch", "nice", "-export-dir", bad}, []string{"-export-dir: the interchange format holds RealNVP weights"}},
		{"train", []string{"-fresh=false", "-export-dir", bad}, []string{"-export-dir: the interchange format holds a stream"}},
		{"train", []string{"-export-dir", bad}, []string{"-export-dir", "cannot create the folder"}},
		{"train", []string{"-clip", "NaN"}, []string{"-clip NaN"}},
		{"train", []string{"-clip", "+Inf"}, []string{"-clip +Inf"}},
		{"train", []string{"-scale-bound", "-1"}, []string{"-scale-bound -1: want a number in [0, 100]"}},
		{"train", []string{"-scale-bound", "NaN"}, []string{"-scale-bound NaN"}},
		{"train", []string{"-n", "1"}, []string{"-n 1: want an integer in [2, 10000000]"}},
		{"train", []string{"-n", "0"}, []string{"-n 0"}},
		{"train", []string{"-n", "100000000000"}, []string{"-n 100000000000"}},
		{"train", []string{"-heldout", "0"}, []string{"-heldout 0: want an integer in [1, 10000000]"}},
		{"train", []string{"-every", "0"}, []string{"-every 0: want an integer in [1,"}},
		{"train", []string{"-layers", "0"}, []string{"-layers 0: want an integer in [1, 100]"}},
		{"train", []string{"-layers", "100000"}, []string{"-layers 100000"}},
		{"train", []string{"-hidden", "64,0"}, []string{"-hidden: want integers in [1, 4096]", `"64,0"`}},
		{"train", []string{"-hidden", "64,x"}, []string{"-hidden: want integers"}},
		{"train", []string{"-hidden", "1000000"}, []string{"-hidden: want integers in [1, 4096]"}},
		{"train", []string{"-dataset", "swissroll"}, []string{`-dataset "swissroll": want one of moons, circles`}},
		{"train", []string{"-arch", "glow"}, []string{`-arch "glow": want one of`, "realnvp"}},
		{"train", []string{"-activation", "sigmoid"}, []string{`-activation "sigmoid": want one of relu`}},
		{"train", []string{"-arch", "maf", "-mask-shift", "1"}, []string{"-mask-shift: applies to -arch realnvp and nice only; got -arch maf"}},
		{"train", []string{"-arch", "nsf", "-head-init", "0.1"}, []string{"-head-init: applies to -arch realnvp and nice only; got -arch nsf"}},
		// Several bad flags are reported together.
		{"train", []string{"-steps", "0", "-batch", "0", "-lr", "NaN"}, []string{"-steps 0", "-batch 0", "-lr NaN"}},
		{"train", []string{"-out", bad}, []string{"train: -out " + bad + ": cannot create the folder"}},
		{"train", []string{"-out", "/proc/forbidden"}, []string{"-out /proc/forbidden: cannot"}},

		{"compare", nil, []string{"compare: -out DIR is required"}},
		{"compare", []string{"-out", bad}, []string{"compare: -out " + filepath.Join(bad, "models") + ": cannot create the folder"}},
		{"compare", []string{"-out", "x", "-steps", "0"}, []string{"compare: -steps 0: want an integer in [1, 10000000]"}},
		{"compare", []string{"-out", "x", "-steps", "-3"}, []string{"-steps -3"}},
		{"compare", []string{"-out", "x", "-batch", "0"}, []string{"-batch 0: want an integer in [1, 10000000]"}},
		{"compare", []string{"-out", "x", "-lr", "0"}, []string{"-lr 0: want a number in (0, 1]"}},
		{"compare", []string{"-out", "x", "-lr", "NaN"}, []string{"-lr NaN"}},
		{"compare", []string{"-out", "x", "-heldout", "0"}, []string{"-heldout 0: want an integer in [1, 10000000]"}},
		{"compare", []string{"-out", "x", "-timing-points", "-1"}, []string{"-timing-points -1: want an integer in [0, 10000000]"}},
		{"compare", []string{"-out", "x", "-asym-points", "0"}, []string{"-asym-points 0"}},
		{"compare", []string{"-out", "x", "-asym-dims", "2,0"}, []string{"-asym-dims: want integers in [1, 1024]"}},
		{"compare", []string{"-out", "x", "-asym-dims", "2,x"}, []string{"-asym-dims: want integers"}},
		{"compare", []string{"-out", "x", "-size", "huge"}, []string{`-size "huge": want one of full, small`}},
		{"compare", []string{"-out", "x", "-models", "NICE,Glow"}, []string{`-models: unknown model "Glow"`}},
		{"compare", []string{"-out", "x", "-datasets", "moons,,spirals"}, []string{`-datasets "": want one of`}},
		{"compare", []string{"-out", "x", "-datasets", "swissroll"}, []string{`-datasets "swissroll"`}},
	}
	t.Chdir(t.TempDir()) // -out x must not be created: the flags are checked before the folder
	for _, tc := range cases {
		printed, err := runCmd(t, tc.cmd, tc.args...)
		what := tc.cmd + " " + strings.Join(tc.args, " ")
		if err == nil {
			t.Errorf("%s: no error", what)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not contain %q", what, err, w)
			}
		}
		if printed != "" {
			t.Errorf("%s: printed %q before its error", what, printed)
		}
	}
	if _, err := os.Stat("x"); err == nil {
		t.Errorf("a run with a bad flag created its -out folder")
	}
}

// checkWritable leaves nothing behind and creates missing parents.
func TestCheckWritable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	if err := checkWritable("out", dir); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 0 {
		t.Errorf("after the probe %s holds %v (%v), want nothing", dir, entries, err)
	}
}

// Every architecture trains with no flag but -arch: the flags an architecture has its own defaults for (-layers,
// -activation, -mask-shift) are applied only when given.
func TestTrainEveryArchitectureWithItsDefaults(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a tiny flow per architecture")
	}
	for _, arch := range flows.Archs() {
		printed, err := runCmd(t, "train", "-arch", arch, "-steps", "1", "-hidden", "4", "-n", "32", "-heldout", "32",
			"-batch", "16", "-every", "1")
		if err != nil {
			t.Errorf("train -arch %s: %v\n%s", arch, err, printed)
		}
	}
}

// A failure after training keeps what it can: the model is saved first, the figures that can be
// written are, and the error says which was not. Here density.png is a folder, so it cannot be saved.
func TestTrainKeepsOutputsOnLateFailure(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a tiny flow")
	}
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "density.png"), 0o755); err != nil {
		t.Fatal(err)
	}
	printed, err := runCmd(t, "train", "-steps", "2", "-layers", "1", "-hidden", "4", "-n", "32", "-heldout", "32",
		"-batch", "16", "-every", "1", "-out", dir)
	if err == nil || !strings.Contains(err.Error(), "density.png") || !strings.Contains(err.Error(), "wrote 4 of 5 outputs") {
		t.Fatalf("error %v, want one naming density.png and the 4 outputs written\n%s", err, printed)
	}
	for _, name := range []string{"model.flow", "density.svg", "samples.png", "nll.svg"} {
		path := filepath.Join(dir, name)
		if _, err := os.Stat(path); err != nil {
			t.Errorf("%s not written: %v", name, err)
		}
		if !strings.Contains(printed, "wrote "+path) {
			t.Errorf("stdout does not report %s", path)
		}
	}
	b, _, err := backend.Choose()
	if err != nil {
		t.Fatal(err)
	}
	m, err := flows.Load(b, filepath.Join(dir, "model.flow"))
	if err != nil {
		t.Fatalf("the saved model does not load: %v", err)
	}
	if got := m.Spec.(flows.Spec).Layers; got != 1 {
		t.Errorf("saved model has %d layers, want 1", got)
	}
}

// The same for compare: the models and the tables survive a figure that cannot be written.
func TestCompareKeepsOutputsOnLateFailure(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a tiny flow")
	}
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "densities.png"), 0o755); err != nil {
		t.Fatal(err)
	}
	printed, err := runCmd(t, "compare", "-out", dir, "-size", "small", "-models", "NICE", "-datasets", "moons",
		"-steps", "2", "-batch", "16", "-heldout", "32", "-timing-points", "0", "-asym-dims", "")
	if err == nil || !strings.Contains(err.Error(), "densities.png") {
		t.Fatalf("error %v, want one naming densities.png\n%s", err, printed)
	}
	for _, name := range []string{filepath.Join("models", "nice-moons.flow"), "table.csv", "table.md"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s not written: %v", name, err)
		}
	}
	if !strings.Contains(printed, "wrote "+filepath.Join(dir, "models", "nice-moons.flow")) {
		t.Errorf("stdout does not report the saved model:\n%s", printed)
	}
}
