package plots

import (
	"fmt"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"image/color"
	"math"

	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/plotter"
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
// Alpha, Size (of the plot without the colour bar), NoLegend, FreeAspect (the default is equal
// aspect, see [EqualAspect]).
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
	fp := newFigPlot(cfg, true)
	p := fp.p
	hm := plotter.NewHeatMap(gridXYZ(g), cm.Palette(256))
	hm.Min, hm.Max = zmin, zmax
	hm.Rasterized = true
	hm.Underflow, hm.Overflow = viridisAt(0), viridisAt(1)
	p.Add(hm)
	if err := addOverlays(fp, "Heatmap"); err != nil {
		return nil, err
	}
	p.X.Min, p.X.Max = g.Bounds.XMin, g.Bounds.XMax
	p.Y.Min, p.Y.Max = g.Bounds.YMin, g.Bounds.YMax
	p.X.Padding, p.Y.Padding = 0, 0
	if !cfg.noColorBar {
		low, high := outsideRange(g.Values, zmin, zmax)
		fp.withColorMap(cm, low, high)
	}
	return fp.figure(), nil
}

// outsideRange counts the values below zmin and above zmax (±Inf included, NaN not).
func outsideRange(values [][]float64, zmin, zmax float64) (low, high int) {
	for _, row := range values {
		for _, v := range row {
			if v < zmin {
				low++
			} else if v > zmax {
				high++
			}
		}
	}
	return low, high
}

// MustHeatmap is like [Heatmap] but panics on error.
func MustHeatmap(g Grid, opts ...Option) *Figure { return must(Heatmap(g, opts...)) }

// ColorRangeOf returns the range of the finite values of grids: pass it to ZRange to draw
// separate heatmaps on one colour scale. It returns (NaN, NaN) if no value is finite.
func ColorRangeOf(grids ...Grid) (min, max float64) {
	min, max = math.Inf(1), math.Inf(-1)
	for _, g := range grids {
		for _, row := range g.Values {
			for _, v := range row {
				if isFinite(v) {
					min, max = math.Min(min, v), math.Max(max, v)
				}
			}
		}
	}
	if math.IsInf(min, 1) {
		return math.NaN(), math.NaN()
	}
	return min, max
}

// HeatmapRow draws grids side by side on one colour scale, with a single colour bar at the
// right, so that equal colours mean equal values across the panels (e.g. a model's density at
// several training steps beside the true density). The scale is ZRange if given, otherwise
// the range of all the grids' finite values; values outside it are marked on the bar (▲▼).
// titles, if not nil, holds one panel title per grid.
//
// Options: Title (over the row), and for every panel XLabel, YLabel, ColorLabel (of the bar),
// ZRange, Overlay, MarkerSize, Alpha, Size (of each panel, without the bar), NoLegend.
// It returns an error if grids is empty, len(titles) != len(grids), or a grid is invalid (see
// [Heatmap]).
func HeatmapRow(grids []Grid, titles []string, opts ...Option) (*Figure, error) {
	cfg := newConfig(Default2DSize, Default2DSize, opts)
	if err := cfg.check("HeatmapRow"); err != nil {
		return nil, err
	}
	if len(grids) == 0 {
		return nil, fmt.Errorf("plots.HeatmapRow: grids is empty")
	}
	if titles != nil && len(titles) != len(grids) {
		return nil, fmt.Errorf("plots.HeatmapRow: len(titles)=%d != len(grids)=%d", len(titles), len(grids))
	}
	zmin, zmax := ColorRangeOf(grids...)
	if cfg.zRange != nil {
		zmin, zmax = cfg.zRange[0], cfg.zRange[1]
	}
	if math.IsNaN(zmin) {
		return nil, fmt.Errorf("plots.HeatmapRow: the grids have no finite value")
	}
	if zmin == zmax {
		zmin, zmax = zmin-0.5, zmax+0.5
	}
	cm := NewViridis(zmin, zmax)
	var panels []*figPlot
	low, high, pw, ph := 0, 0, 0, 0
	for i, g := range grids {
		title := ""
		if titles != nil {
			title = titles[i]
		}
		popts := append(append([]Option{}, opts...), Title(title), ZRange(zmin, zmax), func(c *config) { c.noColorBar = true })
		f, err := Heatmap(g, popts...)
		if err != nil {
			return nil, fmt.Errorf("plots.HeatmapRow: grids[%d]: %w", i, err)
		}
		panels = append(panels, f.fp)
		pw, ph = max(pw, f.width), max(ph, f.height)
		l, h := outsideRange(g.Values, zmin, zmax)
		low, high = low+l, high+h
	}
	cb := newColorBar(cfg.colorLabel, cm)
	notes := colorClipNotes(cm, low, high)
	top := 0
	if cfg.title != "" {
		top = titleHeight
	}
	noteH := int(math.Ceil(float64(vg.Points(noteHeight)) * float64(len(notes)) / float64(pxToLength(1))))
	fig := &Figure{title: cfg.title, width: len(panels)*pw + ColorBarWidth, height: top + ph + noteH}
	fig.drawFn = func(c draw.Canvas) {
		x := func(px int) vg.Length { return c.Min.X + pxToLength(px) }
		y := func(px int) vg.Length { return c.Max.Y - pxToLength(px) }
		if cfg.title != "" {
			titleStyle, _ := textStyles()
			c.FillText(titleStyle, vg.Point{X: x(fig.width / 2), Y: y(titleHeight / 2)}, cfg.title)
		}
		var data draw.Canvas
		for i, p := range panels {
			cell := c
			cell.Min = vg.Point{X: x(i * pw), Y: y(top + ph)}
			cell.Max = vg.Point{X: x((i + 1) * pw), Y: y(top)}
			p.draw(cell)
			if i == len(panels)-1 {
				data = p.arrange(cell).data
			}
		}
		bar := c
		bar.Min = vg.Point{X: data.Max.X + vg.Points(8), Y: data.Min.Y}
		bar.Max = vg.Point{X: data.Max.X + pxToLength(ColorBarWidth) - vg.Points(6), Y: data.Max.Y}
		cb.Draw(bar)
		drawColorClips(cb, bar, low, high)
		sty, _ := textStyles()
		sty.Font = sansFont(8)
		sty.Color = rgb(0x505050)
		sty.XAlign, sty.YAlign = draw.XLeft, draw.YBottom
		for i, l := range notes {
			c.FillText(sty, vg.Point{X: x(4), Y: y(fig.height) + vg.Points(2) + vg.Points(noteHeight)*vg.Length(len(notes)-1-i)}, l)
		}
	}
	return fig, nil
}

// MustHeatmapRow is like [HeatmapRow] but panics on error.
func MustHeatmapRow(grids []Grid, titles []string, opts ...Option) *Figure {
	return must(HeatmapRow(grids, titles, opts...))
}

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

// addOverlays draws the Overlay point sets of fp's config in colours that stand out on
// viridis; the legend lists them only when there are several.
func addOverlays(fp *figPlot, fn string) error {
	cfg := fp.cfg
	for i, s := range cfg.overlays {
		col := withAlpha(overlayColors[i%len(overlayColors)], cfg.alpha)
		pts, err := newPointsPlotter(fn, fmt.Sprintf("Overlay %q", s.Name), s.Points, col, cfg.markerSize)
		if err != nil {
			return err
		}
		fp.p.Add(pts)
		fp.occ = append(fp.occ, occupant{xs: pts.xs, ys: pts.ys})
		fp.clipPoints(pts.xs, pts.ys, pts.color, "points")
		if len(cfg.overlays) > 1 {
			fp.addLegend(s.Name, pts)
		}
	}
	return nil
}

// overlayColors stand out on viridis: white, red, orange.
var overlayColors = []color.Color{color.White, rgb(0xd62728), rgb(0xff7f0e)}

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
