package compare

import (
	"fmt"
	"io"
	"math"
	"time"

	"github.com/flowsgo/flows/flowlib/flows"
	"github.com/flowsgo/flows/flowlib/plots"
	"github.com/gomlx/compute"
)

// Timing is the measured cost of one architecture in one dimension: the time to draw N samples and to evaluate N
// log-densities.
type Timing struct {
	Model       string
	Dim         int
	N           int
	SampleTime  time.Duration
	DensityTime time.Duration
}

// Asymmetry measures MAF and IAF (Layers layers, MADE hidden widths hidden) in each dimension of dims: the time to
// sample n points and to evaluate n densities. MAF's density and IAF's sampling are one MADE pass per layer; MAF's
// sampling and IAF's density are D passes per layer, so their times grow with D. Compute does not depend on the
// weights, so the models are untrained. Each graph is compiled before it is timed.
func Asymmetry(backend compute.Backend, dims []int, layers int, hidden []int, n int, log io.Writer) ([]Timing, error) {
	if log == nil {
		log = io.Discard
	}
	var out []Timing
	for _, d := range dims {
		for _, arch := range []string{"maf", "iaf"} {
			m, err := flows.New(arch, d).Layers(layers).Hidden(hidden...).Model(backend)
			if err != nil {
				return nil, err
			}
			one := make([][]float64, 1)
			one[0] = make([]float64, d)
			if _, err := m.LogProb(one); err != nil { // compile
				return nil, err
			}
			if _, err := m.Sample(1, 1); err != nil { // compile
				return nil, err
			}
			start := time.Now()
			xs, err := m.Sample(n, 2)
			if err != nil {
				return nil, err
			}
			t := Timing{Model: map[string]string{"maf": "MAF", "iaf": "IAF"}[arch], Dim: d, N: n, SampleTime: time.Since(start)}
			start = time.Now()
			if _, err := m.LogProb(xs); err != nil {
				return nil, err
			}
			t.DensityTime = time.Since(start)
			fmt.Fprintf(log, "%s D=%-3d sample %d: %6.2fs   density %d: %6.2fs\n", t.Model, d, n, t.SampleTime.Seconds(), n, t.DensityTime.Seconds())
			out = append(out, t)
		}
	}
	return out, nil
}

// WriteTimingsCSV writes the asymmetry measurements as CSV.
func WriteTimingsCSV(w io.Writer, ts []Timing) error {
	if _, err := fmt.Fprintln(w, "model,dim,n,sample s,density s"); err != nil {
		return err
	}
	for _, t := range ts {
		if _, err := fmt.Fprintf(w, "%s,%d,%d,%.3f,%.3f\n", t.Model, t.Dim, t.N, t.SampleTime.Seconds(), t.DensityTime.Seconds()); err != nil {
			return err
		}
	}
	return nil
}

// AsymmetryFigure plots sampling and density time against the dimension, one line per model and direction.
func AsymmetryFigure(ts []Timing) (*plots.Figure, error) {
	series := map[string]*plots.Series{}
	var order []string
	add := func(name string, d int, v time.Duration) {
		s, ok := series[name]
		if !ok {
			s = &plots.Series{Name: name}
			series[name] = s
			order = append(order, name)
		}
		s.X = append(s.X, float64(d))
		s.Y = append(s.Y, math.Max(v.Seconds(), 1e-3))
	}
	n := 0
	for _, t := range ts {
		add(t.Model+" sample", t.Dim, t.SampleTime)
		add(t.Model+" density", t.Dim, t.DensityTime)
		n = t.N
	}
	list := make([]plots.Series, len(order))
	for i, name := range order {
		list[i] = *series[name]
	}
	return plots.Line(list, plots.Title(fmt.Sprintf("MAF vs IAF: seconds for %d points", n)), plots.XLabel("dimension D"),
		plots.YLabel("seconds"), plots.LogY())
}

// DensityGrid draws the learned densities, rows = models and columns = data sets, in the order they first appear
// in results. Each panel is exp(log p) on [GridBounds]; the panels of one data set share one colour scale (from the
// smallest to the largest density any model of that column gives), so models compare by colour down a column.
func DensityGrid(results []Result) (*plots.Figure, error) {
	var models, sets []string
	seen := map[string]bool{}
	for _, r := range results {
		if !seen["m:"+r.Model] {
			seen["m:"+r.Model] = true
			models = append(models, r.Model)
		}
		if !seen["d:"+r.Dataset] {
			seen["d:"+r.Dataset] = true
			sets = append(sets, r.Dataset)
		}
	}
	// Densities, and one colour scale per data set (column), so the models of a column compare by colour.
	dens := map[[2]string]plots.Grid{}
	for _, m := range models {
		for _, d := range sets {
			if r := Find(results, m, d); r != nil && len(r.Grid.Values) > 0 { // a failed model leaves its cell empty
				g := plots.Grid{Bounds: r.Grid.Bounds, Values: make([][]float64, len(r.Grid.Values))}
				for a, row := range r.Grid.Values {
					g.Values[a] = make([]float64, len(row))
					for b, v := range row {
						g.Values[a][b] = math.Exp(v)
					}
				}
				dens[[2]string{m, d}] = g
			}
		}
	}
	grid := make([][]*plots.Figure, len(models))
	for i := range grid {
		grid[i] = make([]*plots.Figure, len(sets))
	}
	for j, d := range sets {
		var column []plots.Grid
		for _, m := range models {
			if g, ok := dens[[2]string{m, d}]; ok {
				column = append(column, g)
			}
		}
		if len(column) == 0 {
			continue
		}
		lo, hi := plots.ColorRangeOf(column...)
		if !(hi > lo) {
			hi = lo + 1
		}
		for i, m := range models {
			g, ok := dens[[2]string{m, d}]
			if !ok {
				continue
			}
			r := Find(results, m, d)
			fig, err := plots.Heatmap(g, plots.Title(fmt.Sprintf("held-out NLL %.3f", r.HeldOutNLL)), plots.Size(260, 220), plots.ZRange(lo, hi))
			if err != nil {
				return nil, err
			}
			grid[i][j] = fig
		}
	}
	return plots.LabeledGrid(models, sets, grid, plots.Title("learned densities (standardized units)"))
}
