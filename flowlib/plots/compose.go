package plots

import (
	"fmt"
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"
)

// figPlot is a single gonum plot on its way to becoming a Figure, with what the package adds
// around it: equal aspect, a legend placed where the data are not, marks for data clipped by a
// user-set range, and an optional colour bar.
type figPlot struct {
	cfg   *config
	p     *plot.Plot
	title string // Drawn by figPlot, taken from p (see figure).
	equal bool   // Equal data units per pixel on x and y.

	legend    plot.Legend // Drawn by figPlot (not by p), where the data are not.
	hasLegend bool
	occ       []occupant // What the legend must not cover.

	clips      []clip      // Data cut off by XRange/YRange.
	clipCounts []clipCount // How many, per edge, printed under the plot.
	notes      []string    // Other notes printed under the plot (colour clipping).
	wrapped    []string    // All notes, wrapped to the figure's width (set by figure).
	cm         *Viridis    // Colour bar, if not nil.
	cmLow      int         // Values below the colour range (drawn in its lowest colour).
	cmHi       int         // Values above the colour range.
	cb         *plot.Plot  // The colour bar plot, built from cm.
}

// newFigPlot starts a figure; equal is the default aspect of its kind of figure (true for
// plots of a 2-D space), which the EqualAspect and FreeAspect options override.
func newFigPlot(cfg *config, equal bool) *figPlot {
	if cfg.aspect != 0 {
		equal = cfg.aspect > 0
	}
	fp := &figPlot{cfg: cfg, p: cfg.newPlot(), equal: equal}
	fp.legend = plot.NewLegend()
	fp.legend.TextStyle.Font = sansFont(9)
	fp.legend.ThumbnailWidth = vg.Points(14)
	return fp
}

// addLegend adds an entry to the legend, unless NoLegend was given.
func (fp *figPlot) addLegend(name string, thumbs ...plot.Thumbnailer) {
	if !fp.cfg.legend || name == "" {
		return
	}
	fp.legend.Add(name, thumbs...)
	fp.hasLegend = true
}

// occupant is something drawn in the data area that a legend should not cover.
type occupant struct {
	xs, ys []float64 // Points, or the vertices of a polyline if line is set.
	line   bool
	rects  [][4]float64 // Filled rectangles {xmin, ymin, xmax, ymax} in data coordinates (histogram bars).
}

// clip is a data point outside the axis range, marked at the edge it crosses.
type clip struct {
	x, y  float64 // Data coordinates; at least one is outside the axis range.
	color color.Color
}

// Layout constants, in points.
const (
	noteHeight   = 12 // Height of a line of notes under a plot.
	legendGap    = 6  // Gap between the data area and a legend placed outside it.
	legendMargin = 4  // Inset of a legend from the corner of the data area.
	markSize     = 4  // Size of a clipping triangle.
)

// noteLines returns the lines printed under the plot: what the clipping marks stand for.
func (fp *figPlot) noteLines() []string {
	var lines []string
	for _, c := range fp.clipCounts {
		l := fmt.Sprintf("%s clipped: %s %s", c.mark, count(c.n, c.what), c.where)
		if !math.IsNaN(c.extreme) {
			ext := "max"
			if c.mark == "▼" {
				ext = "min"
			}
			l += fmt.Sprintf(" (%s %s)", ext, fmtNum(c.extreme))
		}
		lines = append(lines, l)
	}
	return append(lines, fp.notes...)
}

// withColorMap adds a colour bar for cm; low and high count the values outside its range.
func (fp *figPlot) withColorMap(cm *Viridis, low, high int) {
	fp.cm, fp.cmLow, fp.cmHi = cm, low, high
	fp.cb = newColorBar(fp.cfg.colorLabel, cm)
	fp.notes = append(fp.notes, colorClipNotes(cm, low, high)...)
}

// newColorBar returns a plot of a vertical colour bar for cm.
func newColorBar(label string, cm *Viridis) *plot.Plot {
	cb := plot.New()
	cb.HideX()
	cb.X.Padding, cb.Y.Padding = 0, 0
	cb.Y.Label.Text = label
	cb.Y.Label.TextStyle.Font = sansFont(10)
	cb.Y.Tick.Label.Font = sansFont(9)
	cb.Y.Tick.Marker = readableTicks{plot.DefaultTicks{}}
	cb.Add(&plotter.ColorBar{ColorMap: palette.ColorMap(cm), Vertical: true})
	return cb
}

// colorClipNotes returns the notes for low values below and high values above cm's range.
func colorClipNotes(cm *Viridis, low, high int) []string {
	var notes []string
	if low > 0 {
		notes = append(notes, fmt.Sprintf("▼ colour clipped: %s below %s", count(low, "value"), fmtNum(cm.Min())))
	}
	if high > 0 {
		notes = append(notes, fmt.Sprintf("▲ colour clipped: %s above %s", count(high, "value"), fmtNum(cm.Max())))
	}
	return notes
}

// figure returns the Figure. For an equal-aspect plot the figure is trimmed to the data's
// aspect ratio, so that Size (or the default size) is the largest the figure takes.
func (fp *figPlot) figure() *Figure {
	// The title is drawn by figPlot, centred over the figure, not by p over the data.
	if fp.p.Title.Text != "" {
		fp.title, fp.p.Title.Text = fp.p.Title.Text, ""
	}
	w, h := fp.cfg.width, fp.cfg.height
	if fp.cb != nil {
		w += ColorBarWidth
	}
	fp.wrapped = wrapLines(fp.noteLines(), noteStyle(), pxToLength(w)-vg.Points(8))
	h += int(math.Ceil(float64(vg.Points(noteHeight)) * float64(len(fp.wrapped)) / float64(pxToLength(1))))
	if fp.equal {
		c := draw.Canvas{Canvas: &recorder.Canvas{}, Rectangle: vg.Rectangle{Max: vg.Point{X: pxToLength(w), Y: pxToLength(h)}}}
		a := fp.arrange(c)
		w -= int(a.slack.X / pxToLength(1))
		h -= int(a.slack.Y / pxToLength(1))
		// Trimmed narrower, the notes may need more lines.
		if rewrapped := wrapLines(fp.noteLines(), noteStyle(), pxToLength(w)-vg.Points(8)); len(rewrapped) > len(fp.wrapped) {
			h += int(math.Ceil(float64(vg.Points(noteHeight)) * float64(len(rewrapped)-len(fp.wrapped)) / float64(pxToLength(1))))
			fp.wrapped = rewrapped
		}
	}
	return &Figure{title: fp.cfg.title, width: w, height: h, drawFn: fp.draw, fp: fp}
}

// arrangement is where the parts of a figPlot go on a canvas.
type arrangement struct {
	main   draw.Canvas  // The canvas p draws on.
	data   draw.Canvas  // p's data area in main.
	bar    draw.Canvas  // The colour bar's canvas, if any.
	legend vg.Rectangle // The legend box, if any.
	title  vg.Point     // Centre of the title's baseline.
	note   vg.Point     // Where the first notes line starts.
	slack  vg.Point     // Width and height left unused to keep the aspect equal.
}

// Legend placements.
const (
	legendInside = iota
	legendRight  // Outside, right of the data area (and colour bar).
	legendBelow  // Outside, under the x axis: for a wide legend.
)

// arrange lays fp out on c: the title at the top, notes at the bottom, the colour bar at the
// right, the legend in the corner of the data area with the least data under it, or outside
// when every corner is crowded (at the right, or under the plot if it is wide).
func (fp *figPlot) arrange(c draw.Canvas) arrangement {
	a := fp.arrangeWith(c, legendInside)
	if !fp.hasLegend {
		return a
	}
	size := fp.legendSize()
	grid := fp.occupancy(a.data)
	// Corners first (top right is where readers look), then the middle of the top and bottom edges.
	spots := []struct{ top, left, mid bool }{{true, false, false}, {true, true, false}, {false, false, false},
		{false, true, false}, {true, false, true}, {false, false, true}}
	best, bestN := vg.Rectangle{}, math.MaxInt
	for _, k := range spots {
		r := cornerRect(a.data, size, k.top, k.left)
		if k.mid {
			dx := (a.data.Min.X+a.data.Max.X)/2 - (r.Min.X+r.Max.X)/2
			r.Min.X, r.Max.X = r.Min.X+dx, r.Max.X+dx
		}
		if n := grid.count(r); n < bestN {
			best, bestN = r, n
		}
	}
	// A stray point or two under the legend (it has a white backing) is better than a
	// smaller plot; more than that and the legend moves out.
	if bestN <= grid.cellsIn(best)/50 {
		a.legend = best
		return a
	}
	if size.X <= (c.Max.X-c.Min.X)/4 {
		return fp.arrangeWith(c, legendRight)
	}
	return fp.arrangeWith(c, legendBelow)
}

// arrangeWith lays fp out on c with the legend placed as given (inside: placed by arrange).
func (fp *figPlot) arrangeWith(c draw.Canvas, legend int) arrangement {
	var a arrangement
	full := margins(c)
	c = full
	if n := len(fp.wrapped); n > 0 {
		a.note = vg.Point{X: c.Min.X + vg.Points(2), Y: c.Min.Y + vg.Points(noteHeight)*vg.Length(n-1) + vg.Points(2)}
		c.Min.Y += vg.Points(noteHeight) * vg.Length(n)
	}
	var titleH vg.Length
	if fp.title != "" {
		titleH = fp.p.Title.TextStyle.Rectangle(fp.title).Size().Y + fp.p.Title.Padding
		c.Max.Y -= titleH
	}
	size := fp.legendSize()
	switch legend {
	case legendRight:
		c.Max.X -= size.X + vg.Points(legendGap)
	case legendBelow:
		c.Min.Y += size.Y + vg.Points(legendGap)
	}
	main := c
	cbw := pxToLength(ColorBarWidth)
	if fp.cb != nil {
		main.Max.X -= cbw
	}
	if fp.equal {
		main, a.slack = equalAspect(fp.p, main)
	}
	a.main, a.data = main, fp.p.DataCanvas(main)
	right := main.Max.X
	if fp.cb != nil {
		a.bar = c
		a.bar.Min.X = main.Max.X + vg.Points(4)
		a.bar.Max.X = main.Max.X + cbw - vg.Points(10)
		a.bar.Min.Y, a.bar.Max.Y = a.data.Min.Y, a.data.Max.Y
		right = main.Max.X + cbw
	}
	// The title sits just above the plot, centred over the data area but kept inside the figure.
	if fp.title != "" {
		w := fp.p.Title.TextStyle.Rectangle(fp.title).Size().X
		x := (a.data.Min.X + a.data.Max.X) / 2
		x = vg.Length(math.Max(float64(full.Min.X+w/2), math.Min(float64(full.Max.X-w/2), float64(x))))
		a.title = vg.Point{X: x, Y: main.Max.Y + fp.p.Title.Padding}
	}
	switch legend {
	case legendRight:
		x := right + vg.Points(legendGap)
		a.legend = vg.Rectangle{Min: vg.Point{X: x, Y: a.data.Max.Y - size.Y}, Max: vg.Point{X: x + size.X, Y: a.data.Max.Y}}
	case legendBelow:
		x := math.Max(float64(full.Min.X), float64(a.data.Max.X-size.X))
		a.legend = vg.Rectangle{Min: vg.Point{X: vg.Length(x), Y: c.Min.Y - size.Y - vg.Points(legendGap)},
			Max: vg.Point{X: vg.Length(x) + size.X, Y: c.Min.Y - vg.Points(legendGap)}}
	}
	return a
}

// equalAspect returns the largest canvas inside c (centred across, at the top) on which p's data area has equal
// units per length on x and y, and the width and height it leaves unused. The axes' tick
// labels and titles do not depend on the canvas size, so cropping c crops the data area by
// the same amount.
func equalAspect(p *plot.Plot, c draw.Canvas) (draw.Canvas, vg.Point) {
	da := p.DataCanvas(c)
	w, h := da.Max.X-da.Min.X, da.Max.Y-da.Min.Y
	dx, dy := p.X.Max-p.X.Min, p.Y.Max-p.Y.Min
	if w <= 0 || h <= 0 || !(dx > 0) || !(dy > 0) {
		return c, vg.Point{}
	}
	var slack vg.Point
	if float64(w)/dx > float64(h)/dy {
		slack.X = w - vg.Length(float64(h)*dx/dy)
		c.Min.X += slack.X / 2
		c.Max.X -= slack.X / 2
	} else {
		// Unused height goes below the plot, so that the titles of panels in a row line up.
		slack.Y = h - vg.Length(float64(w)*dy/dx)
		c.Min.Y += slack.Y
	}
	return c, slack
}

// legendSize returns the width and height of the legend box, padding included.
func (fp *figPlot) legendSize() vg.Point {
	r := fp.legend.Rectangle(draw.Canvas{})
	pad := vg.Points(3)
	return vg.Point{X: r.Size().X + 2*pad, Y: r.Size().Y + 2*pad}
}

func cornerRect(da draw.Canvas, size vg.Point, top, left bool) vg.Rectangle {
	m := vg.Points(legendMargin)
	var r vg.Rectangle
	if left {
		r.Min.X = da.Min.X + m
	} else {
		r.Min.X = da.Max.X - m - size.X
	}
	if top {
		r.Min.Y = da.Max.Y - m - size.Y
	} else {
		r.Min.Y = da.Min.Y + m
	}
	r.Max = vg.Point{X: r.Min.X + size.X, Y: r.Min.Y + size.Y}
	return r
}

// draw draws fp on c.
func (fp *figPlot) draw(c draw.Canvas) {
	a := fp.arrange(c)
	if fp.title != "" {
		sty := fp.p.Title.TextStyle
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YBottom
		c.FillText(sty, a.title, fp.title)
	}
	fp.p.Draw(a.main)
	fp.drawClips(a.data)
	if fp.cb != nil {
		fp.cb.Draw(a.bar)
		drawColorClips(fp.cb, a.bar, fp.cmLow, fp.cmHi)
	}
	if fp.hasLegend {
		fp.drawLegend(c, a.legend)
	}
	sty := noteStyle()
	for i, l := range fp.wrapped {
		c.FillText(sty, vg.Point{X: a.note.X, Y: a.note.Y - vg.Points(noteHeight)*vg.Length(i)}, l)
	}
}

// drawLegend draws the legend in r on a white, slightly transparent backing.
func (fp *figPlot) drawLegend(c draw.Canvas, r vg.Rectangle) {
	c.SetColor(color.NRGBA{R: 255, G: 255, B: 255, A: 215})
	c.Fill(r.Path())
	pad := vg.Points(3)
	inner := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
		Min: vg.Point{X: r.Min.X + pad, Y: r.Min.Y + pad}, Max: vg.Point{X: r.Max.X - pad, Y: r.Max.Y - pad}}}
	leg := fp.legend
	leg.Top, leg.Left = true, false
	leg.XOffs, leg.YOffs = 0, 0
	leg.Draw(inner)
}

// drawClips draws a triangle at the edge of the data area for each clipped point, pointing
// the way the point lies, in the point's colour; one mark per few points of edge.
func (fp *figPlot) drawClips(da draw.Canvas) {
	if len(fp.clips) == 0 {
		return
	}
	trX, trY := fp.p.Transforms(&da)
	type key struct{ x, y int }
	seen := map[key]bool{}
	s := vg.Points(markSize)
	for _, cl := range fp.clips {
		x, y := trX(cl.x), trY(cl.y)
		dx, dy := 0, 0
		switch {
		case x < da.Min.X:
			x, dx = da.Min.X, -1
		case x > da.Max.X:
			x, dx = da.Max.X, 1
		}
		switch {
		case y < da.Min.Y:
			y, dy = da.Min.Y, -1
		case y > da.Max.Y:
			y, dy = da.Max.Y, 1
		}
		if dx == 0 && dy == 0 {
			continue
		}
		k := key{int(x / (s / 2)), int(y / (s / 2))}
		if seen[k] {
			continue
		}
		seen[k] = true
		col := color.NRGBAModel.Convert(cl.color).(color.NRGBA)
		col.A = 255
		drawTriangle(da, vg.Point{X: x, Y: y}, dx, dy, s, col)
	}
}

// drawColorClips draws ▼ under and ▲ over the colour bar when values fall outside its range.
func drawColorClips(cb *plot.Plot, bar draw.Canvas, low, high int) {
	s := vg.Points(markSize + 2)
	da := cb.DataCanvas(bar)
	x := (da.Min.X + da.Max.X) / 2
	if low > 0 {
		drawTriangle(bar, vg.Point{X: x, Y: bar.Min.Y - s - 1}, 0, -1, s, viridisAt(0))
	}
	if high > 0 {
		drawTriangle(bar, vg.Point{X: x, Y: bar.Max.Y + s + 1}, 0, 1, s, viridisAt(1))
	}
}

// drawTriangle fills a triangle with its tip at pt+s·(dx, dy)/√… pointing along (dx, dy),
// outlined in dark grey so that it shows on any background.
func drawTriangle(c draw.Canvas, pt vg.Point, dx, dy int, s vg.Length, col color.Color) {
	ux, uy := float64(dx), float64(dy)
	n := math.Hypot(ux, uy)
	ux, uy = ux/n, uy/n
	// Tip at the edge, base inside the data area.
	tip := pt
	base := vg.Point{X: pt.X - vg.Length(ux)*s, Y: pt.Y - vg.Length(uy)*s}
	px, py := -uy, ux
	half := s * 0.6
	var path vg.Path
	path.Move(tip)
	path.Line(vg.Point{X: base.X + vg.Length(px)*half, Y: base.Y + vg.Length(py)*half})
	path.Line(vg.Point{X: base.X - vg.Length(px)*half, Y: base.Y - vg.Length(py)*half})
	path.Close()
	c.SetColor(col)
	c.Fill(path)
	c.SetColor(rgb(0x303030))
	c.SetLineWidth(vg.Points(0.5))
	c.Stroke(path)
}

// occGrid marks the cells of the data area that hold data.
type occGrid struct {
	origin vg.Point
	cell   vg.Length
	nx, ny int
	full   []bool
}

// occupancy rasterizes fp.occ onto a grid of 3-point cells over the data area da.
func (fp *figPlot) occupancy(da draw.Canvas) *occGrid {
	cell := vg.Points(3)
	g := &occGrid{origin: da.Min, cell: cell,
		nx: int(math.Ceil(float64((da.Max.X - da.Min.X) / cell))), ny: int(math.Ceil(float64((da.Max.Y - da.Min.Y) / cell)))}
	g.nx, g.ny = max(g.nx, 1), max(g.ny, 1)
	g.full = make([]bool, g.nx*g.ny)
	trX, trY := fp.p.Transforms(&da)
	for _, o := range fp.occ {
		for i := range o.xs {
			p := vg.Point{X: trX(o.xs[i]), Y: trY(o.ys[i])}
			g.mark(p)
			if o.line && i > 0 {
				q := vg.Point{X: trX(o.xs[i-1]), Y: trY(o.ys[i-1])}
				steps := int(math.Hypot(float64(p.X-q.X), float64(p.Y-q.Y))/float64(cell/2)) + 1
				for k := 1; k < steps; k++ {
					t := vg.Length(float64(k) / float64(steps))
					g.mark(vg.Point{X: q.X + t*(p.X-q.X), Y: q.Y + t*(p.Y-q.Y)})
				}
			}
		}
		for _, r := range o.rects {
			g.fill(vg.Rectangle{Min: vg.Point{X: trX(r[0]), Y: trY(r[1])}, Max: vg.Point{X: trX(r[2]), Y: trY(r[3])}})
		}
	}
	return g
}

func (g *occGrid) index(p vg.Point) (i, j int) {
	return int(math.Floor(float64((p.X - g.origin.X) / g.cell))), int(math.Floor(float64((p.Y - g.origin.Y) / g.cell)))
}

func (g *occGrid) mark(p vg.Point) {
	i, j := g.index(p)
	if i >= 0 && i < g.nx && j >= 0 && j < g.ny {
		g.full[j*g.nx+i] = true
	}
}

func (g *occGrid) fill(r vg.Rectangle) {
	i0, j0 := g.index(r.Min)
	i1, j1 := g.index(r.Max)
	for j := max(j0, 0); j <= min(j1, g.ny-1); j++ {
		for i := max(i0, 0); i <= min(i1, g.nx-1); i++ {
			g.full[j*g.nx+i] = true
		}
	}
}

// count returns the number of occupied cells that r touches.
func (g *occGrid) count(r vg.Rectangle) int {
	i0, j0 := g.index(r.Min)
	i1, j1 := g.index(r.Max)
	n := 0
	for j := max(j0, 0); j <= min(j1, g.ny-1); j++ {
		for i := max(i0, 0); i <= min(i1, g.nx-1); i++ {
			if g.full[j*g.nx+i] {
				n++
			}
		}
	}
	return n
}

// cellsIn returns the number of grid cells r touches.
func (g *occGrid) cellsIn(r vg.Rectangle) int {
	i0, j0 := g.index(r.Min)
	i1, j1 := g.index(r.Max)
	return max(0, min(i1, g.nx-1)-max(i0, 0)+1) * max(0, min(j1, g.ny-1)-max(j0, 0)+1)
}

// clipPoints records the points of (xs, ys) outside the user-set ranges as clipped (one mark
// each, at the edge they are past), counted as what ("points", "bars") in the notes.
func (fp *figPlot) clipPoints(xs, ys []float64, col color.Color, what string) {
	xr, yr := fp.cfg.xRange, fp.cfg.yRange
	if xr == nil && yr == nil {
		return
	}
	for i := range xs {
		x, y := xs[i], ys[i]
		if (xr != nil && (x < xr[0] || x > xr[1])) || (yr != nil && (y < yr[0] || y > yr[1])) {
			fp.clips = append(fp.clips, clip{x: x, y: y, color: col})
			fp.countClip(x, y, singular(what), true)
		}
	}
}

// clipLine records where the polyline (xs, ys) leaves a user-set y range: one mark per
// stretch outside it, at the stretch's extreme, counted as "curve segments". A line leaving
// through the side of an x range shows it is cut, so that is not marked.
func (fp *figPlot) clipLine(xs, ys []float64, col color.Color) {
	yr, xr := fp.cfg.yRange, fp.cfg.xRange
	if yr == nil {
		return
	}
	side := func(y float64) int {
		switch {
		case y > yr[1]:
			return 1
		case y < yr[0]:
			return -1
		}
		return 0
	}
	runSide, ext, extX := 0, 0.0, 0.0
	flush := func() {
		if runSide != 0 {
			fp.clips = append(fp.clips, clip{x: extX, y: ext, color: col})
			fp.countClip(extX, ext, "curve segment", false)
		}
		runSide = 0
	}
	for i := range xs {
		s := side(ys[i])
		if xr != nil && (xs[i] < xr[0] || xs[i] > xr[1]) {
			s = 0
		}
		if s != runSide {
			flush()
			runSide, ext, extX = s, ys[i], xs[i]
		}
		if s != 0 && float64(s)*(ys[i]-ext) > 0 {
			ext, extX = ys[i], xs[i]
		}
	}
	flush()
}

// countClip counts a clipped datum at the edges it is past (only y edges unless withX).
func (fp *figPlot) countClip(x, y float64, what string, withX bool) {
	xr, yr := fp.cfg.xRange, fp.cfg.yRange
	if yr != nil && y > yr[1] {
		fp.bump(what, "▲", "above y = "+fmtNum(yr[1]), y)
	} else if yr != nil && y < yr[0] {
		fp.bump(what, "▼", "below y = "+fmtNum(yr[0]), y)
	}
	if !withX {
		return
	}
	if xr != nil && x > xr[1] {
		fp.bump(what, "▶", "right of x = "+fmtNum(xr[1]), math.NaN())
	} else if xr != nil && x < xr[0] {
		fp.bump(what, "◀", "left of x = "+fmtNum(xr[0]), math.NaN())
	}
}

// bump counts one more clipped datum of kind what ("point") past the edge where; v is its
// value across that edge (NaN if not reported), to report the extreme.
func (fp *figPlot) bump(what, mark, where string, v float64) {
	for i := range fp.clipCounts {
		if c := &fp.clipCounts[i]; c.what == what && c.where == where {
			c.n++
			if mark == "▲" {
				c.extreme = math.Max(c.extreme, v)
			} else {
				c.extreme = math.Min(c.extreme, v)
			}
			return
		}
	}
	fp.clipCounts = append(fp.clipCounts, clipCount{what: what, mark: mark, where: where, n: 1, extreme: v})
}

// clipCount is a line of the notes: "▲ clipped: 3 points above y = 1.6".
type clipCount struct {
	what, mark, where string
	n                 int
	extreme           float64 // Largest (above) or smallest (below) value, NaN for x edges.
}

// count returns "1 point" or "3 points".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// fmtNum prints a range bound briefly, with a true minus sign.
func fmtNum(v float64) string {
	return strings.Replace(fmt.Sprintf("%.4g", v), "-", "−", 1)
}

func singular(s string) string { return strings.TrimSuffix(s, "s") }

// noteStyle is the text style of the notes under a plot: small and grey.
func noteStyle() text.Style {
	sty := plot.New().Title.TextStyle
	sty.Font = sansFont(8)
	sty.Color = rgb(0x505050)
	sty.XAlign, sty.YAlign = draw.XLeft, draw.YBottom
	return sty
}

// wrapLines breaks each line at spaces so that it fits width in style sty (a word longer than
// width stays whole); continuation lines are indented.
func wrapLines(lines []string, sty text.Style, width vg.Length) []string {
	var out []string
	for _, l := range lines {
		words := strings.Fields(l)
		cur := ""
		for _, w := range words {
			next := w
			if cur != "" {
				next = cur + " " + w
			}
			if cur != "" && sty.Width(next) > width {
				out = append(out, cur)
				next = "   " + w
			}
			cur = next
		}
		if cur != "" {
			out = append(out, cur)
		}
	}
	return out
}
