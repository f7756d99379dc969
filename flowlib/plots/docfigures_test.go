package plots

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// TestWriteDocFigures writes the figures of docs/figures/plots-*.png, which show what the
// package does to make figures read right, when FLOWLIB_PLOTS_FIGURES names a directory:
//
//	FLOWLIB_PLOTS_FIGURES=$PWD/docs/figures go test ./flowlib/plots -run TestWriteDocFigures
func TestWriteDocFigures(t *testing.T) {
	dir := os.Getenv("FLOWLIB_PLOTS_FIGURES")
	if dir == "" {
		t.Skip("FLOWLIB_PLOTS_FIGURES is not set")
	}
	r := rand.New(rand.NewPCG(1, 2))
	var upper, lower [][]float64
	for i := range 2000 {
		a := math.Pi * r.Float64()
		if i%2 == 0 {
			upper = append(upper, []float64{math.Cos(a) + 0.08*r.NormFloat64(), math.Sin(a) + 0.08*r.NormFloat64()})
		} else {
			lower = append(lower, []float64{1 - math.Cos(a) + 0.08*r.NormFloat64(), 0.5 - math.Sin(a) + 0.08*r.NormFloat64()})
		}
	}
	grid := WarpGrid{Domain: Bounds{XMin: -2, XMax: 2, YMin: -2, YMax: 2}}
	f := func(p []float64) []float64 { return []float64{p[0] + 0.4*math.Sin(2*p[1]), 0.6*p[1] + 0.2*p[0]*p[0]} }
	warped, err := WarpedGridFunc(grid, f, func(p []float64) float64 { return math.Log(0.6 + 0.1*p[0]) },
		Title("f∘g: cells by log|det ∂f/∂z|"), ColorLabel("log|det J|"), ZRange(-0.8, -0.4), XLabel("x₁"), YLabel("x₂"))
	if err != nil {
		t.Fatal(err)
	}
	moons := MustScatter([]PointSet{{Name: "upper moon", Points: upper}, {Name: "lower moon", Points: lower}},
		Title("x ∼ p_data, x ∈ ℝ²"), XLabel("x₁"), YLabel("x₂"))

	var samples []float64
	for i := range 4000 {
		samples = append(samples, 0.15*r.NormFloat64()+1.5*float64(i%2))
	}
	phi := func(x, m float64) float64 { return math.Exp(-(x-m)*(x-m)/(2*0.0225)) / (0.15 * math.Sqrt(2*math.Pi)) }
	hist := MustHistogram(samples, 60, []Curve{{Name: "p(x) = ½φ((x−0)/σ)/σ + ½φ((x−1.5)/σ)/σ", F: func(x float64) float64 {
		return 0.5*phi(x, 0) + 0.5*phi(x, 1.5)
	}}}, Title("YRange(0, 1.1) cuts the peaks off"), XLabel("x"), YRange(0, 1.1))

	b := Bounds{XMin: -3, XMax: 3, YMin: -3, YMax: 3}
	var grids []Grid
	for _, sd := range []float64{0.6, 1, 1.6} {
		g, err := GridFunc(b, 120, 120, func(x, y float64) float64 { return math.Exp(-(x*x+y*y)/(2*sd*sd)) / (2 * math.Pi * sd * sd) })
		if err != nil {
			t.Fatal(err)
		}
		grids = append(grids, g)
	}
	row := MustHeatmapRow(grids, []string{"σ = 0.6", "σ = 1", "σ = 1.6"}, ColorLabel("p(x)"), Size(280, 280),
		ZRange(0, 0.3), Title("HeatmapRow: one colour scale, ZRange(0, 0.3)"))

	for name, fig := range map[string]*Figure{
		"plots-moons-warp.png":  MustRow([]*Figure{moons, warped}),
		"plots-clipped.png":     hist,
		"plots-heatmap-row.png": row,
	} {
		if err := fig.Save(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
}
