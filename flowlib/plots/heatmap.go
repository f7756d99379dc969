package plots

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Bounds is the rectangle [XMin, XMax] × [YMin, YMax].
type Bounds struct {
	XMin, XMax, YMin, YMax float64
}

func (b Bounds) check(fn, what string) error {
	if !(b.XMin < b.XMax) || !(b.YMin < b.YMax) || !isFinite(b.XMin) || !isFinite(b.XMax) ||
		!isFinite(b.YMin) || !isFinite(b.YMax) {
		return fmt.Errorf("plots.%s: %s must be finite with XMin < XMax and YMin < YMax, got %+v", fn, what, b)
	}
	return nil
}

// GridPoints returns the centres of an nx × ny grid of cells covering b, one row per point, in
// row-major order: point i*nx+j has x index j (left to right) and y index i (bottom to top).
// Evaluate a model on them in one batch and pass the results to [GridFromValues].
func (b Bounds) GridPoints(nx, ny int) [][]float64 {
	pts := make([][]float64, 0, nx*ny)
	for i := range ny {
		for j := range nx {
			pts = append(pts, []float64{b.cellX(j, nx), b.cellY(i, ny)})
		}
	}
	return pts
}

func (b Bounds) cellX(j, nx int) float64 {
	return b.XMin + (float64(j)+0.5)*(b.XMax-b.XMin)/float64(nx)
}
func (b Bounds) cellY(i, ny int) float64 {
	return b.YMin + (float64(i)+0.5)*(b.YMax-b.YMin)/float64(ny)
}

// Grid holds scalar values on a regular grid of cells covering Bounds.
// Values[i][j] is the value at the centre of the cell in row i (y, bottom to top) and
// column j (x, left to right); every row has the same length.
type Grid struct {
	Bounds Bounds
	Values [][]float64
}

// GridFunc evaluates f(x, y) at the centres of an nx × ny grid over b.
func GridFunc(b Bounds, nx, ny int, f func(x, y float64) float64) (Grid, error) {
	if err := b.check("GridFunc", "b"); err != nil {
		return Grid{}, err
	}
	if nx <= 0 || ny <= 0 {
		return Grid{}, fmt.Errorf("plots.GridFunc: nx and ny must be positive, got %d and %d", nx, ny)
	}
	if f == nil {
		return Grid{}, fmt.Errorf("plots.GridFunc: f is nil")
	}
	values := make([][]float64, ny)
	for i := range ny {
		values[i] = make([]float64, nx)
		for j := range nx {
			values[i][j] = f(b.cellX(j, nx), b.cellY(i, ny))
		}
	}
	return Grid{Bounds: b, Values: values}, nil
}

// GridFromValues reshapes values, evaluated at b.GridPoints(nx, ny) in that order, into a Grid.
func GridFromValues(b Bounds, nx, ny int, values []float64) (Grid, error) {
	if err := b.check("GridFromValues", "b"); err != nil {
		return Grid{}, err
	}
	if nx <= 0 || ny <= 0 {
		return Grid{}, fmt.Errorf("plots.GridFromValues: nx and ny must be positive, got %d and %d", nx, ny)
	}
	if len(values) != nx*ny {
		return Grid{}, fmt.Errorf("plots.GridFromValues: len(values)=%d, want nx*ny=%d", len(values), nx*ny)
	}
	rows := make([][]float64, ny)
	for i := range ny {
		rows[i] = values[i*nx : (i+1)*nx]
	}
	return Grid{Bounds: b, Values: rows}, nil
}

// Heatmap draws a grid of values (a density or log-density) as a colour image over its bounds,
// with a colour bar. NaN cells are left blank; -Inf and +Inf are clamped to the colour range,
// which is the range of the finite values unless ZRange is given.
//
// Options: Title, XLabel, YLabel, ColorLabel, ZRange, Overlay (points drawn on top), MarkerSize,
// Alpha, Size (of the plot without the colour bar), NoLegend.
// It returns an error if the grid is empty, its rows are ragged, its bounds are invalid, or it
// has no finite value.
func Heatmap(g Grid, opts ...Option) (*Figure, error) {
	cfg := newConfig(Default2DSize, Default2DSize, opts)
	if err := cfg.check("Heatmap"); err != nil {
		return nil, err
	}
	if err := g.Bounds.check("Heatmap", "g.Bounds"); err != nil {
		return nil, err
	}
	if len(g.Values) == 0 || len(g.Values[0]) == 0 {
		return nil, fmt.Errorf("plots.Heatmap: g.Values is empty")
	}
	nx := len(g.Values[0])
	zmin, zmax := math.Inf(1), math.Inf(-1)
	for i, row := range g.Values {
		if len(row) != nx {
			return nil, fmt.Errorf("plots.Heatmap: g.Values[%d] has %d values, want %d like row 0", i, len(row), nx)
		}
		for _, v := range row {
			if isFinite(v) {
				zmin, zmax = math.Min(zmin, v), math.Max(zmax, v)
			}
		}
	}
	if math.IsInf(zmin, 1) {
		return nil, fmt.Errorf("plots.Heatmap: g.Values has no finite value")
	}
	if cfg.zRange != nil {
		zmin, zmax = cfg.zRange[0], cfg.zRange[1]
	}
	if zmin == zmax {
		zmin, zmax = zmin-0.5, zmax+0.5
	}
	cm := NewViridis(zmin, zmax)
	p := cfg.newPlot()
	hm := plotter.NewHeatMap(gridXYZ(g), cm.Palette(256))
	hm.Min, hm.Max = zmin, zmax
	hm.Rasterized = true
	hm.Underflow, hm.Overflow = viridisAt(0), viridisAt(1)
	p.Add(hm)
	if err := addOverlays(p, cfg, "Heatmap"); err != nil {
		return nil, err
	}
	p.X.Min, p.X.Max = g.Bounds.XMin, g.Bounds.XMax
	p.Y.Min, p.Y.Max = g.Bounds.YMin, g.Bounds.YMax
	p.X.Padding, p.Y.Padding = 0, 0
	return withColorBar(cfg, p, cm), nil
}

// MustHeatmap is like [Heatmap] but panics on error.
func MustHeatmap(g Grid, opts ...Option) *Figure { return must(Heatmap(g, opts...)) }

// HeatmapFunc draws f(x, y) evaluated on an n × n grid over b; see [Heatmap] for the options.
func HeatmapFunc(b Bounds, n int, f func(x, y float64) float64, opts ...Option) (*Figure, error) {
	g, err := GridFunc(b, n, n, f)
	if err != nil {
		return nil, err
	}
	return Heatmap(g, opts...)
}

// gridXYZ adapts a Grid to plotter.GridXYZ.
type gridXYZ Grid

func (g gridXYZ) Dims() (c, r int)   { return len(g.Values[0]), len(g.Values) }
func (g gridXYZ) Z(c, r int) float64 { return g.Values[r][c] }
func (g gridXYZ) X(c int) float64    { return g.Bounds.cellX(c, len(g.Values[0])) }
func (g gridXYZ) Y(r int) float64    { return g.Bounds.cellY(r, len(g.Values)) }

// Min and Max spare plotter.NewHeatMap a scan of the grid: Heatmap sets the range itself.
func (g gridXYZ) Min() float64 { return math.NaN() }
func (g gridXYZ) Max() float64 { return math.NaN() }

// addOverlays draws the Overlay point sets of cfg on p in colours that stand out on viridis;
// the legend lists them only when there are several.
func addOverlays(p *plot.Plot, cfg *config, fn string) error {
	for i, s := range cfg.overlays {
		col := withAlpha(overlayColors[i%len(overlayColors)], cfg.alpha)
		pts, err := newPointsPlotter(fn, fmt.Sprintf("Overlay %q", s.Name), s.Points, col, cfg.markerSize)
		if err != nil {
			return err
		}
		p.Add(pts)
		if cfg.legend && s.Name != "" && len(cfg.overlays) > 1 {
			p.Legend.Add(s.Name, pts)
		}
	}
	return nil
}

// overlayColors stand out on viridis: white, red, orange.
var overlayColors = []color.Color{color.White, rgb(0xd62728), rgb(0xff7f0e)}

// withColorBar returns a figure drawing p with a vertical colour bar for cm at its right,
// aligned with p's data area.
func withColorBar(cfg *config, p *plot.Plot, cm palette.ColorMap) *Figure {
	cb := plot.New()
	cb.HideX()
	cb.X.Padding, cb.Y.Padding = 0, 0
	cb.Y.Label.Text = cfg.colorLabel
	cb.Y.Label.TextStyle.Font = sansFont(10)
	cb.Y.Tick.Label.Font = sansFont(9)
	cb.Y.Tick.Marker = readableTicks{plot.DefaultTicks{}}
	cb.Add(&plotter.ColorBar{ColorMap: cm, Vertical: true})
	w := cfg.width + ColorBarWidth
	cbw := pxToLength(ColorBarWidth)
	return &Figure{title: cfg.title, width: w, height: cfg.height, drawFn: func(c draw.Canvas) {
		c = margins(c)
		main := c
		main.Max.X -= cbw
		p.Draw(main)
		da := p.DataCanvas(main)
		bar := c
		bar.Min.X = main.Max.X + vg.Points(4)
		bar.Max.X = c.Max.X - vg.Points(10)
		bar.Min.Y, bar.Max.Y = da.Min.Y, da.Max.Y
		cb.Draw(bar)
	}}
}

// viridisAnchors are samples of matplotlib's viridis colour map at 0, 1/8, ..., 1.
var viridisAnchors = []color.NRGBA{
	{68, 1, 84, 255}, {71, 44, 122, 255}, {59, 81, 139, 255}, {44, 113, 142, 255}, {33, 144, 141, 255},
	{39, 173, 129, 255}, {92, 200, 99, 255}, {170, 220, 50, 255}, {253, 231, 37, 255},
}

// viridisAt returns the viridis colour at t in [0, 1] (clamped), interpolating linearly.
func viridisAt(t float64) color.NRGBA {
	t = math.Max(0, math.Min(1, t))
	pos := t * float64(len(viridisAnchors)-1)
	i := min(int(pos), len(viridisAnchors)-2)
	f := pos - float64(i)
	a, b := viridisAnchors[i], viridisAnchors[i+1]
	mix := func(x, y uint8) uint8 { return uint8(float64(x)*(1-f) + float64(y)*f + 0.5) }
	return color.NRGBA{R: mix(a.R, b.R), G: mix(a.G, b.G), B: mix(a.B, b.B), A: 255}
}

// Viridis is the perceptually uniform viridis colour map, as a gonum palette.ColorMap.
type Viridis struct {
	min, max, alpha float64
}

// NewViridis returns the viridis colour map over [min, max].
func NewViridis(min, max float64) *Viridis { return &Viridis{min: min, max: max, alpha: 1} }

// At implements palette.ColorMap.
func (v *Viridis) At(z float64) (color.Color, error) {
	if z < v.min || z > v.max || math.IsNaN(z) {
		return nil, palette.ErrOverflow
	}
	c := viridisAt((z - v.min) / (v.max - v.min))
	c.A = uint8(v.alpha*255 + 0.5)
	return c, nil
}

// Max implements palette.ColorMap.
func (v *Viridis) Max() float64 { return v.max }

// SetMax implements palette.ColorMap.
func (v *Viridis) SetMax(m float64) { v.max = m }

// Min implements palette.ColorMap.
func (v *Viridis) Min() float64 { return v.min }

// SetMin implements palette.ColorMap.
func (v *Viridis) SetMin(m float64) { v.min = m }

// Alpha implements palette.ColorMap.
func (v *Viridis) Alpha() float64 { return v.alpha }

// SetAlpha implements palette.ColorMap.
func (v *Viridis) SetAlpha(a float64) { v.alpha = a }

// Palette implements palette.ColorMap.
func (v *Viridis) Palette(n int) palette.Palette {
	cols := make(viridisPalette, n)
	for i := range cols {
		c := viridisAt(float64(i) / float64(max(n-1, 1)))
		c.A = uint8(v.alpha*255 + 0.5)
		cols[i] = c
	}
	return cols
}

type viridisPalette []color.Color

func (p viridisPalette) Colors() []color.Color { return p }
