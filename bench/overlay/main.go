// Command overlay lays flowlib's training curves over PyTorch's for the same initial weights and data (issue #14),
// and says where they part.
//
//	go run ./bench/overlay -out bench/results/overlay 1=go1.csv,torch1.csv 2=go2.csv,torch2.csv
//
// Each argument is SEED=FLOWLIB_CSV,TORCH_CSV, both in the step,batch_nll,heldout_nll layout (`flows train
// -export-dir` writes curve.csv; bench/realnvp_torch.py --csv). It writes OUT-heldout.png (held-out NLL of both
// implementations, flowlib solid, PyTorch dashed, one colour per seed) and OUT-diff.png (|batch NLL difference| per
// step, log scale), and prints per seed the first step where the batch NLLs differ by more than 1e-4, 1e-3, 1e-2
// and 0.1, and both final held-out NLLs.
package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/flowsgo/flows/flowlib/plots"
)

// curve is one CSV: batch[k] is step k's batch NLL (NaN at step 0), held the held-out NLL (NaN where not measured).
type curve struct{ batch, held []float64 }

func read(path string) (curve, error) {
	f, err := os.Open(path)
	if err != nil {
		return curve{}, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return curve{}, fmt.Errorf("%s: %w", path, err)
	}
	if len(rows) < 2 || strings.Join(rows[0], ",") != "step,batch_nll,heldout_nll" {
		return curve{}, fmt.Errorf("%s: want a step,batch_nll,heldout_nll header and rows", path)
	}
	var c curve
	num := func(s string) float64 {
		if s == "" {
			return math.NaN()
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return math.NaN()
		}
		return v
	}
	for i, r := range rows[1:] {
		if len(r) != 3 || r[0] != strconv.Itoa(i) {
			return curve{}, fmt.Errorf("%s: row %d is %v, want step %d", path, i+1, r, i)
		}
		c.batch, c.held = append(c.batch, num(r[1])), append(c.held, num(r[2]))
	}
	return c, nil
}

func main() {
	out := flag.String("out", "overlay", "prefix of the two PNG files")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: overlay -out PREFIX SEED=FLOWLIB_CSV,TORCH_CSV ...")
		os.Exit(2)
	}
	var held, diff []plots.Series
	thresholds := []float64{1e-4, 1e-3, 1e-2, 0.1}
	fmt.Printf("%6s %s %12s %12s\n", "seed", "first step with |Δ batch NLL| > 1e-4, 1e-3, 1e-2, 0.1", "flowlib", "PyTorch")
	for _, arg := range flag.Args() {
		seed, files, ok := strings.Cut(arg, "=")
		goFile, torchFile, ok2 := strings.Cut(files, ",")
		if !ok || !ok2 {
			fmt.Fprintf(os.Stderr, "overlay: %q: want SEED=FLOWLIB_CSV,TORCH_CSV\n", arg)
			os.Exit(2)
		}
		g, err := read(goFile)
		if err == nil {
			var t curve
			if t, err = read(torchFile); err == nil && len(t.batch) != len(g.batch) {
				err = fmt.Errorf("%s has %d steps, %s %d", goFile, len(g.batch)-1, torchFile, len(t.batch)-1)
			}
			if err == nil {
				held = append(held, series("seed "+seed+" flowlib", g.held, false), series("seed "+seed+" PyTorch", t.held, true))
				d := make([]float64, len(g.batch))
				first := make([]string, len(thresholds))
				for i := range first {
					first[i] = "-"
				}
				for k := range d {
					d[k] = math.Abs(g.batch[k] - t.batch[k])
					for i, th := range thresholds {
						if first[i] == "-" && d[k] > th {
							first[i] = strconv.Itoa(k)
						}
					}
					if d[k] == 0 {
						d[k] = 1e-7 // below float32 print precision: drawn at the floor of the log axis
					}
				}
				diff = append(diff, series("seed "+seed, d, false))
				fmt.Printf("%6s %-56s %12.4f %12.4f\n", seed, strings.Join(first, ", "), last(g.held), last(t.held))
			}
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "overlay:", err)
			os.Exit(1)
		}
	}
	for _, f := range []struct {
		name string
		s    []plots.Series
		opts []plots.Option
	}{
		{"-heldout.png", held, []plots.Option{plots.Title("held-out NLL: flowlib (solid) and PyTorch (dashed), same weights and data"),
			plots.XLabel("step"), plots.YLabel("nats"), plots.YRange(1.1, 2.9)}},
		{"-diff.png", diff, []plots.Option{plots.Title("|flowlib − PyTorch| batch NLL, same weights and batches"),
			plots.XLabel("step"), plots.YLabel("nats"), plots.LogY()}},
	} {
		fig, err := plots.Line(f.s, f.opts...)
		if err == nil {
			err = fig.Save(*out + f.name)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "overlay:", err)
			os.Exit(1)
		}
		fmt.Println("wrote", *out+f.name)
	}
}

// series drops the NaNs (unmeasured steps) so a sparse held-out curve is drawn as a connected line.
func series(name string, y []float64, dashed bool) plots.Series {
	s := plots.Series{Name: name, Dashed: dashed}
	for k, v := range y {
		if !math.IsNaN(v) {
			s.X, s.Y = append(s.X, float64(k)), append(s.Y, v)
		}
	}
	return s
}

func last(y []float64) float64 {
	for k := len(y) - 1; k >= 0; k-- {
		if !math.IsNaN(y[k]) {
			return y[k]
		}
	}
	return math.NaN()
}
