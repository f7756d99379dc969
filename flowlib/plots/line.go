package plots

import (
	"fmt"
	"math"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Series is one named curve y(x) of a line plot.
type Series struct {
	Name string
	// X holds the abscissas; if nil, Y is plotted against 0, 1, 2, ...
	X []float64
	// Y holds the ordinates. NaN marks a missing value: the point is skipped.
	Y []float64
	// Dashed draws the series with a dashed line.
	Dashed bool
}

// Curve is a named function y = F(x), e.g. an exact density, drawn over a histogram.
type Curve struct {
	Name string
	F    func(x float64) float64
}

// Line plots one or more named series: 1D densities, loss curves, timings.
//
// Options: Title, XLabel, YLabel, LogX, LogY, LogLog, XRange, YRange, Size, NoLegend,
// EqualAspect.
// It returns an error if series is empty, a series is empty, X and Y lengths differ, a value is
// ±Inf, or a value is not positive on a logarithmic axis.
func Line(series []Series, opts ...Option) (*Figure, error) {
	cfg := newConfig(DefaultWidth, DefaultHeight, opts)
	if err := cfg.check("Line"); err != nil {
		return nil, err
	}
	if len(series) == 0 {
		return nil, fmt.Errorf("plots.Line: series is empty")
	}
	fp := newFigPlot(cfg, false)
	p := fp.p
	p.Add(plotter.NewGrid())
	for i, s := range series {
		xys, err := seriesXYs(s, i, cfg)
		if err != nil {
			return nil, err
		}
		l, err := plotter.NewLine(xys)
		if err != nil {
			return nil, fmt.Errorf("plots.Line: series[%d] %q: %w", i, s.Name, err)
		}
		l.Color = seriesColor(i)
		l.Width = vg.Points(1.5)
		if s.Dashed {
			l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		}
		p.Add(l)
		fp.addLegend(s.Name, l)
		xs, ys := splitXYs(xys)
		fp.occ = append(fp.occ, occupant{xs: xs, ys: ys, line: true})
		fp.clipLine(xs, ys, l.Color)
	}
	cfg.applyRanges(p)
	return fp.figure(), nil
}

func splitXYs(xys plotter.XYs) (xs, ys []float64) {
	xs, ys = make([]float64, len(xys)), make([]float64, len(xys))
	for i, p := range xys {
		xs[i], ys[i] = p.X, p.Y
	}
	return xs, ys
}

// MustLine is like [Line] but panics on error.
func MustLine(series []Series, opts ...Option) *Figure { return must(Line(series, opts...)) }

// seriesXYs validates series s (index i) and returns its finite points.
func seriesXYs(s Series, i int, cfg *config) (plotter.XYs, error) {
	if len(s.Y) == 0 {
		return nil, fmt.Errorf("plots.Line: series[%d] %q: Y is empty", i, s.Name)
	}
	if s.X != nil && len(s.X) != len(s.Y) {
		return nil, fmt.Errorf("plots.Line: series[%d] %q: len(X)=%d != len(Y)=%d", i, s.Name, len(s.X), len(s.Y))
	}
	xys := make(plotter.XYs, 0, len(s.Y))
	for j, y := range s.Y {
		x := float64(j)
		if s.X != nil {
			x = s.X[j]
		}
		if math.IsNaN(x) || math.IsNaN(y) {
			continue
		}
		if math.IsInf(x, 0) || math.IsInf(y, 0) {
			return nil, fmt.Errorf("plots.Line: series[%d] %q: point %d is (%g, %g), want finite values", i, s.Name, j, x, y)
		}
		if cfg.logX && x <= 0 {
			return nil, fmt.Errorf("plots.Line: series[%d] %q: X[%d]=%g, must be positive with a log x axis", i, s.Name, j, x)
		}
		if cfg.logY && y <= 0 {
			return nil, fmt.Errorf("plots.Line: series[%d] %q: Y[%d]=%g, must be positive with a log y axis", i, s.Name, j, y)
		}
		xys = append(xys, plotter.XY{X: x, Y: y})
	}
	if len(xys) == 0 {
		return nil, fmt.Errorf("plots.Line: series[%d] %q: every value is NaN", i, s.Name)
	}
	return xys, nil
}

// Histogram draws a normalized density histogram of samples (the bar areas sum to 1), with
// optional exact density curves overlaid over the histogram's range.
// bins <= 0 picks a number of bins from the sample size.
//
// Options: Title, XLabel, YLabel (default "density"), XRange (also the histogram range), YRange,
// Size, NoLegend. It returns an error if samples is empty or holds a non-finite value, or a
// curve has a nil F.
func Histogram(samples []float64, bins int, densities []Curve, opts ...Option) (*Figure, error) {
	cfg := newConfig(DefaultWidth, DefaultHeight, append([]Option{YLabel("density")}, opts...))
	if err := cfg.check("Histogram"); err != nil {
		return nil, err
	}
	if len(samples) == 0 {
		return nil, fmt.Errorf("plots.Histogram: samples is empty")
	}
	values := make(plotter.Values, 0, len(samples))
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, v := range samples {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("plots.Histogram: samples[%d]=%g, want finite values", i, v)
		}
		if cfg.xRange != nil && (v < cfg.xRange[0] || v > cfg.xRange[1]) {
			continue
		}
		values = append(values, v)
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	for i, d := range densities {
		if d.F == nil {
			return nil, fmt.Errorf("plots.Histogram: densities[%d] %q has a nil F", i, d.Name)
		}
	}
	if len(values) == 0 {
		return nil, fmt.Errorf("plots.Histogram: no sample falls in XRange [%g, %g]", cfg.xRange[0], cfg.xRange[1])
	}
	if bins <= 0 {
		bins = int(math.Round(math.Sqrt(float64(len(values)))))
		bins = max(10, min(bins, 80))
	}
	if cfg.xRange != nil {
		lo, hi = cfg.xRange[0], cfg.xRange[1]
	}
	if lo == hi {
		lo, hi = lo-0.5, hi+0.5
	}
	fp := newFigPlot(cfg, false)
	p := fp.p
	p.Add(plotter.NewGrid())
	if dropped := len(samples) - len(values); dropped > 0 {
		fp.notes = append(fp.notes, fmt.Sprintf("%s outside x ∈ [%s, %s] not shown", count(dropped, "sample"),
			fmtNum(cfg.xRange[0]), fmtNum(cfg.xRange[1])))
	}
	// Bins cover exactly [lo, hi], also when XRange is wider than the data.
	h, err := plotter.NewHistogram(binnedXYs(values, lo, hi), bins)
	if err != nil {
		return nil, fmt.Errorf("plots.Histogram: %w", err)
	}
	h.Normalize(1)
	h.FillColor = withAlpha(Colors[0], 0.35)
	h.LineStyle.Color = withAlpha(Colors[0], 0.8)
	h.LineStyle.Width = vg.Points(0.5)
	p.Add(h)
	fp.addLegend("samples", h)
	bars := occupant{}
	var tops, centres []float64
	for _, b := range h.Bins {
		bars.rects = append(bars.rects, [4]float64{b.Min, 0, b.Max, b.Weight})
		centres, tops = append(centres, (b.Min+b.Max)/2), append(tops, b.Weight)
	}
	fp.occ = append(fp.occ, bars)
	fp.clipPoints(centres, tops, Colors[0], "bars")
	for i, d := range densities {
		fn := plotter.NewFunction(d.F)
		fn.XMin, fn.XMax = lo, hi
		fn.Samples = 400
		fn.Color = seriesColor(i + 1)
		fn.Width = vg.Points(1.8)
		p.Add(fn)
		fp.addLegend(d.Name, fn)
		xs, ys := make([]float64, fn.Samples), make([]float64, fn.Samples)
		for k := range xs {
			xs[k] = lo + (hi-lo)*float64(k)/float64(fn.Samples-1)
			ys[k] = d.F(xs[k])
		}
		fp.occ = append(fp.occ, occupant{xs: xs, ys: ys, line: true})
		fp.clipLine(xs, ys, fn.Color)
	}
	p.X.Min, p.X.Max = lo, hi
	cfg.applyRanges(p)
	return fp.figure(), nil
}

// MustHistogram is like [Histogram] but panics on error.
func MustHistogram(samples []float64, bins int, densities []Curve, opts ...Option) *Figure {
	return must(Histogram(samples, bins, densities, opts...))
}

// binnedXYs returns the values as weighted points whose extreme bins are pinned to [lo, hi]:
// plotter.NewHistogram bins over the data range, so two zero-weight points at lo and hi
// make the bins span exactly [lo, hi].
func binnedXYs(values plotter.Values, lo, hi float64) plotter.XYs {
	xys := make(plotter.XYs, 0, len(values)+2)
	xys = append(xys, plotter.XY{X: lo, Y: 0}, plotter.XY{X: hi, Y: 0})
	for _, v := range values {
		xys = append(xys, plotter.XY{X: v, Y: 1})
	}
	return xys
}

func must(f *Figure, err error) *Figure {
	if err != nil {
		panic(err)
	}
	return f
}
