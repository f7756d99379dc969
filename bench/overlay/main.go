// Command overlay lays flowlib's training curves over PyTorch's for the same initial weights and data (issue #14),
// and says where they part.
//
//	go run ./bench/overlay -out bench/results/overlay 1=go1.csv,torch1.csv 2=go2.csv,torch2.csv
//
// Each argument is SEED=FLOWLIB_CSV,TORCH_CSV[,REFERENCE_CSV], all in the step,batch_nll,heldout_nll layout
// (`flows train -export-dir` writes curve.csv; bench/realnvp_torch.py --csv). It writes OUT-heldout.png (one panel
// per seed: the held-out NLL of flowlib, of PyTorch on the same weights and data, and of the optional third curve,
// the plain PyTorch reference on the same data) and OUT-diff.png (log₁₀ |batch NLL difference| per step, all
// seeds), and prints per seed the first step where the batch NLLs differ by more than 1e-4, 1e-3, 1e-2 and 0.1,
// and the final held-out NLLs.
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
	var panels []*plots.Figure
	var diff []plots.Series
	thresholds := []float64{1e-4, 1e-3, 1e-2, 0.1}
	fmt.Printf("%6s %s %12s %12s\n", "seed", "first step with |Δ batch NLL| > 1e-4, 1e-3, 1e-2, 0.1", "flowlib", "PyTorch")
	for _, arg := range flag.Args() {
		seed, files, ok := strings.Cut(arg, "=")
		names := strings.Split(files, ",")
		if !ok || len(names) < 2 || len(names) > 3 {
			fmt.Fprintf(os.Stderr, "overlay: %q: want SEED=FLOWLIB_CSV,TORCH_CSV[,REFERENCE_CSV]\n", arg)
			os.Exit(2)
		}
		goFile, torchFile := names[0], names[1]
		g, err := read(goFile)
		if err == nil {
			var t curve
			if t, err = read(torchFile); err == nil && len(t.batch) != len(g.batch) {
				err = fmt.Errorf("%s has %d steps, %s %d", goFile, len(g.batch)-1, torchFile, len(t.batch)-1)
			}
			if err == nil {
				held := []plots.Series{series("flowlib", g.held, false), series("PyTorch, same start", t.held, true)}
				refLast := math.NaN()
				if len(names) == 3 {
					var r curve
					if r, err = read(names[2]); err != nil {
						fmt.Fprintln(os.Stderr, "overlay:", err)
						os.Exit(1)
					}
					held, refLast = append(held, series("PyTorch reference", r.held, false)), last(r.held)
				}
				panels = append(panels, plots.MustLine(held, plots.Title("seed "+seed), plots.XLabel("step"),
					plots.YLabel("held-out NLL"), plots.YRange(1.1, 2.9), plots.Size(320, 280)))
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
					d[k] = math.Log10(max(d[k], 1e-7)) // 0 (equal to the printed digits) is drawn at −7
				}
				diff = append(diff, series("seed "+seed, d, false))
				fmt.Printf("%6s %-56s %12.4f %12.4f", seed, strings.Join(first, ", "), last(g.held), last(t.held))
				if !math.IsNaN(refLast) {
					fmt.Printf("  (reference %.4f)", refLast)
				}
				fmt.Println()
			}
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "overlay:", err)
			os.Exit(1)
		}
	}
	heldFig, err := plots.Panels(min(len(panels), 3), panels,
		plots.Title("held-out NLL on the same data: flowlib and PyTorch from flowlib's initial weights, and the PyTorch reference"))
	diffFig, derr := plots.Line(diff, plots.Title("flowlib vs PyTorch from the same weights, on the same batches"),
		plots.XLabel("step"), plots.YLabel("log₁₀ |Δ batch NLL| (nats)"), plots.YRange(-7.2, 0.5), plots.Size(640, 360))
	for _, f := range []struct {
		name string
		fig  *plots.Figure
		err  error
	}{{"-heldout.png", heldFig, err}, {"-diff.png", diffFig, derr}} {
		err := f.err
		if err == nil {
			err = f.fig.Save(*out + f.name)
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
