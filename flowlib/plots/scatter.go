package plots

import (
	"fmt"
	"image"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// PointSet is a named set of 2D points: each row of Points is one point (x, y).
type PointSet struct {
	Name   string
	Points [][]float64
}

// RasterizeAbove is the number of points of a scatter layer above which SVG output draws the
// markers into an embedded bitmap instead of one SVG element per point, to keep files small.
// PNG output is a bitmap anyway.
var RasterizeAbove = 2000

// Scatter draws one or more sets of 2D points, each in its own colour, with small semi-transparent
// markers. It handles ~10k points per set comfortably.
//
// Options: Title, XLabel, YLabel, XRange, YRange, MarkerSize, Alpha, Size, NoLegend,
// FreeAspect (the default is equal aspect, see [EqualAspect]).
// It returns an error if sets is empty, a set is empty, or a point does not have exactly 2
// finite coordinates.
func Scatter(sets []PointSet, opts ...Option) (*Figure, error) {
	cfg := newConfig(Default2DSize, Default2DSize, opts)
	if err := cfg.check("Scatter"); err != nil {
		return nil, err
	}
	if len(sets) == 0 {
		return nil, fmt.Errorf("plots.Scatter: sets is empty")
	}
	fp := newFigPlot(cfg, true)
	p := fp.p
	for i, s := range sets {
		pts, err := newPointsPlotter("Scatter", fmt.Sprintf("sets[%d] %q", i, s.Name), s.Points,
			withAlpha(seriesColor(i), cfg.alpha), cfg.markerSize)
		if err != nil {
			return nil, err
		}
		p.Add(pts)
		fp.addLegend(s.Name, pts)
		fp.occ = append(fp.occ, occupant{xs: pts.xs, ys: pts.ys})
		fp.clipPoints(pts.xs, pts.ys, pts.color, "points")
	}
	cfg.applyRanges(p)
	return fp.figure(), nil
}

// MustScatter is like [Scatter] but panics on error.
func MustScatter(sets []PointSet, opts ...Option) *Figure { return must(Scatter(sets, opts...)) }

// pointsPlotter draws filled circular markers. Unlike plotter.Scatter it rasterizes large sets
// when drawing to SVG.
type pointsPlotter struct {
	xs, ys []float64
	color  color.NRGBA
	radius vg.Length
}

// newPointsPlotter validates points; fn and what name the caller and the argument in errors.
func newPointsPlotter(fn, what string, points [][]float64, c color.NRGBA, radius float64) (*pointsPlotter, error) {
	if len(points) == 0 {
		return nil, fmt.Errorf("plots.%s: %s has no points", fn, what)
	}
	pp := &pointsPlotter{xs: make([]float64, len(points)), ys: make([]float64, len(points)),
		color: c, radius: vg.Points(radius)}
	for j, pt := range points {
		if len(pt) != 2 {
			return nil, fmt.Errorf("plots.%s: %s: point %d has %d coordinates, want 2", fn, what, j, len(pt))
		}
		if !isFinite(pt[0]) || !isFinite(pt[1]) {
			return nil, fmt.Errorf("plots.%s: %s: point %d is (%g, %g), want finite values", fn, what, j, pt[0], pt[1])
		}
		pp.xs[j], pp.ys[j] = pt[0], pt[1]
	}
	return pp, nil
}

// isSVG reports whether c draws to an SVG canvas, unwrapping the draw.Canvas layers that cropping adds.
func isSVG(c draw.Canvas) bool {
	var cv vg.Canvas = c
	for {
		switch inner := cv.(type) {
		case draw.Canvas:
			cv = inner.Canvas
		case *draw.Canvas:
			cv = inner.Canvas
		case *vgsvg.Canvas:
			return true
		default:
			return false
		}
	}
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Plot implements plot.Plotter.
func (pp *pointsPlotter) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	if isSVG(c) && len(pp.xs) > RasterizeAbove {
		pp.plotRaster(c, trX, trY)
		return
	}
	c.SetColor(pp.color)
	for i := range pp.xs {
		pt := vg.Point{X: trX(pp.xs[i]), Y: trY(pp.ys[i])}
		if !c.Contains(pt) {
			continue
		}
		var path vg.Path
		path.Move(vg.Point{X: pt.X + pp.radius, Y: pt.Y})
		path.Arc(pt, pp.radius, 0, 2*math.Pi)
		path.Close()
		c.Fill(path)
	}
}

// plotRaster draws the markers into a bitmap at twice DPI and places it on the canvas.
func (pp *pointsPlotter) plotRaster(c draw.Canvas, trX, trY func(float64) vg.Length) {
	scale := float64(2*DPI) / 72 // pixels per point.
	w := int(math.Ceil(float64(c.Max.X-c.Min.X) * scale))
	h := int(math.Ceil(float64(c.Max.Y-c.Min.Y) * scale))
	if w <= 0 || h <= 0 {
		return
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	r := float64(pp.radius) * scale
	for i := range pp.xs {
		cx := float64(trX(pp.xs[i])-c.Min.X) * scale
		cy := float64(c.Max.Y-trY(pp.ys[i])) * scale
		fillDisc(img, cx, cy, r, pp.color)
	}
	c.DrawImage(c.Rectangle, img)
}

// fillDisc composites an anti-aliased disc of colour col (with its alpha) over img.
func fillDisc(img *image.RGBA, cx, cy, r float64, col color.NRGBA) {
	b := img.Bounds()
	x0, x1 := max(b.Min.X, int(cx-r-1)), min(b.Max.X-1, int(cx+r+1))
	y0, y1 := max(b.Min.Y, int(cy-r-1)), min(b.Max.Y-1, int(cy+r+1))
	alpha := float64(col.A) / 255
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			d := math.Hypot(float64(x)+0.5-cx, float64(y)+0.5-cy)
			cover := math.Max(0, math.Min(1, r+0.5-d))
			if cover == 0 {
				continue
			}
			a := alpha * cover
			i := img.PixOffset(x, y)
			px := img.Pix[i : i+4 : i+4]
			px[0] = uint8(float64(col.R)*a + float64(px[0])*(1-a) + 0.5)
			px[1] = uint8(float64(col.G)*a + float64(px[1])*(1-a) + 0.5)
			px[2] = uint8(float64(col.B)*a + float64(px[2])*(1-a) + 0.5)
			px[3] = uint8(255*a + float64(px[3])*(1-a) + 0.5)
		}
	}
}

// DataRange implements plot.DataRanger.
func (pp *pointsPlotter) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax, ymin, ymax = math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for i := range pp.xs {
		xmin, xmax = math.Min(xmin, pp.xs[i]), math.Max(xmax, pp.xs[i])
		ymin, ymax = math.Min(ymin, pp.ys[i]), math.Max(ymax, pp.ys[i])
	}
	return
}

// Thumbnail implements plot.Thumbnailer, for the legend: an opaque marker.
func (pp *pointsPlotter) Thumbnail(c *draw.Canvas) {
	col := pp.color
	col.A = 255
	c.SetColor(col)
	ctr := c.Center()
	r := vg.Points(3)
	var path vg.Path
	path.Move(vg.Point{X: ctr.X + r, Y: ctr.Y})
	path.Arc(ctr, r, 0, 2*math.Pi)
	path.Close()
	c.Fill(path)
}
