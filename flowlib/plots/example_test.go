package plots_test

import (
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/flowsgo/flows/flowlib/plots"
)

// A loss curve, saved by extension, and the error a bad input gives.
func ExampleLine() {
	fig, err := plots.Line([]plots.Series{
		{Name: "train", Y: []float64{2.84, 1.9, 1.5, 1.3, 1.25}},
		{Name: "held-out", X: []float64{0, 2, 4}, Y: []float64{2.84, 1.52, 1.28}},
	}, plots.Title("NLL"), plots.XLabel("step"), plots.YLabel("nats"))
	if err != nil {
		panic(err)
	}
	w, h := fig.Size()
	fmt.Println("size:", w, h)

	dir, _ := os.MkdirTemp("", "plots")
	defer os.RemoveAll(dir)
	fmt.Println("save png:", fig.Save(filepath.Join(dir, "nll.png")))
	fmt.Println("save gif:", fig.Save("nll.gif"))

	_, err = plots.Line([]plots.Series{{Name: "bad", X: []float64{0, 1}, Y: []float64{1}}})
	fmt.Println(err)
	// Output:
	// size: 480 340
	// save png: <nil>
	// save gif: plots: Save("nll.gif"): unknown extension ".gif", want .png, .svg or .html
	// plots.Line: series[0] "bad": len(X)=2 != len(Y)=1
}

// Evaluate a model's log-density on grid points in one batch, then reshape the results.
func ExampleBounds_GridPoints() {
	b := plots.Bounds{XMin: -3, XMax: 3, YMin: -3, YMax: 3}
	pts := b.GridPoints(100, 100) // One batch of 10,000 points, e.g. for a GoMLX graph.
	logp := make([]float64, len(pts))
	for i, p := range pts {
		logp[i] = -0.5*(p[0]*p[0]+p[1]*p[1]) - math.Log(2*math.Pi)
	}
	g, err := plots.GridFromValues(b, 100, 100, logp)
	if err != nil {
		panic(err)
	}
	fig, err := plots.Heatmap(g, plots.Title("N(0, I)"), plots.ColorLabel("log p(x)"))
	if err != nil {
		panic(err)
	}
	w, h := fig.Size()
	fmt.Println(len(pts), "points; figure", w, "×", h, "px")
	// Output:
	// 10000 points; figure 492 × 420 px
}

// Densities compared side by side on one colour scale, with one colour bar.
func ExampleHeatmapRow() {
	b := plots.Bounds{XMin: -3, XMax: 3, YMin: -3, YMax: 3}
	var grids []plots.Grid
	for _, sd := range []float64{0.7, 1, 1.5} {
		g, err := plots.GridFunc(b, 60, 60, func(x, y float64) float64 {
			return math.Exp(-(x*x+y*y)/(2*sd*sd)) / (2 * math.Pi * sd * sd)
		})
		if err != nil {
			panic(err)
		}
		grids = append(grids, g)
	}
	lo, hi := plots.ColorRangeOf(grids...)
	fig := plots.MustHeatmapRow(grids, []string{"σ = 0.7", "σ = 1", "σ = 1.5"}, plots.ColorLabel("p(x)"), plots.Size(300, 300))
	w, h := fig.Size()
	fmt.Printf("shared scale [%.3f, %.3f]; figure %d × %d px\n", lo, hi, w, h)
	// Output:
	// shared scale [0.000, 0.323]; figure 933 × 300 px
}
