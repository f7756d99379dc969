package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// stdout is where the commands print; tests replace it to check that a bad flag prints nothing.
var stdout io.Writer = os.Stdout

// Limits shared by train and compare: beyond them a value is a typo, not a plan, and would only fail
// (or exhaust memory) after minutes of work.
const (
	maxSteps  = 10_000_000
	maxLayers = 100
	maxWidth  = 4096
	maxDim    = 1024
)

// flagErrors collects every bad flag, so that one run reports them all, before any work or output.
type flagErrors []error

// intIn checks lo ≤ v ≤ hi.
func (e *flagErrors) intIn(name string, v, lo, hi int) {
	if v < lo || v > hi {
		*e = append(*e, fmt.Errorf("-%s %d: want an integer in [%d, %d]", name, v, lo, hi))
	}
}

// floatIn checks lo < v ≤ hi (lo ≤ v when zeroOK: zero then means the default the flag documents).
func (e *flagErrors) floatIn(name string, v, lo, hi float64, zeroOK bool) {
	ok := v > lo && v <= hi
	if zeroOK {
		ok = v >= lo && v <= hi
	}
	if !ok || math.IsNaN(v) {
		bracket := "("
		if zeroOK {
			bracket = "["
		}
		*e = append(*e, fmt.Errorf("-%s %v: want a number in %s%g, %g]", name, v, bracket, lo, hi))
	}
}

// oneOf checks that v is one of valid.
func (e *flagErrors) oneOf(name, v string, valid []string) {
	for _, s := range valid {
		if v == s {
			return
		}
	}
	*e = append(*e, fmt.Errorf("-%s %q: want one of %s", name, v, strings.Join(valid, ", ")))
}

func (e *flagErrors) add(err error) {
	if err != nil {
		*e = append(*e, err)
	}
}

func (e flagErrors) err() error { return errors.Join(e...) }

// checkWritable creates dir (and its parents) and a probe file in it, then removes the probe: a
// command calls it before its work, so that an -out it cannot write fails in a second, not after
// the training it would lose.
func checkWritable(flagName, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("-%s %s: cannot create the folder: %w", flagName, dir, err)
	}
	f, err := os.CreateTemp(dir, ".flows-probe-*")
	if err != nil {
		return fmt.Errorf("-%s %s: cannot write in the folder: %w", flagName, dir, err)
	}
	name := f.Name()
	_, werr := f.WriteString("probe\n")
	cerr := f.Close()
	if rerr := os.Remove(name); rerr != nil {
		return fmt.Errorf("-%s %s: cannot remove the probe file: %w", flagName, dir, rerr)
	}
	if err := errors.Join(werr, cerr); err != nil {
		return fmt.Errorf("-%s %s: cannot write in the folder: %w", flagName, dir, err)
	}
	return nil
}

// parseInts parses comma-separated integers in [lo, hi] (empty entries are skipped).
func parseInts(s string, lo, hi int) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		v, err := strconv.Atoi(f)
		if err != nil || v < lo || v > hi {
			return nil, fmt.Errorf("want integers in [%d, %d] separated by commas, got %q", lo, hi, s)
		}
		out = append(out, v)
	}
	return out, nil
}

// saved lists what a command wrote, so that a late failure can still say where its results are.
type saved []string

func (s saved) report(w io.Writer) {
	for _, p := range s {
		fmt.Fprintln(w, "wrote", p)
	}
}
