package plots

import (
	"fmt"
	"math"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// WarpGrid describes a regular grid over a domain whose image under a 2D map is drawn by
// [WarpedGrid]: Lines grid lines per axis (so Lines-1 cells per axis), each cell edge sampled
// with Sub segments so curved images stay smooth.
//
// The points to map are the (Lines-1)·Sub+1 squared lattice returned by [WarpGrid.Points].
type WarpGrid struct {
	Domain Bounds
	Lines  int // Grid lines per axis, at least 2. Default (0): 11.
	Sub    int // Segments per cell edge, at least 1. Default (0): 8.
}

func (g WarpGrid) withDefaults() WarpGrid {
	if g.Lines == 0 {
		g.Lines = 11
	}
	if g.Sub == 0 {
		g.Sub = 8
	}
	return g
}

// side returns the number of lattice points per axis.
func (g WarpGrid) side() int { g = g.withDefaults(); return (g.Lines-1)*g.Sub + 1 }

func (g WarpGrid) check(fn string) error {
	if err := g.Domain.check(fn, "g.Domain"); err != nil {
		return err
	}
	if g.Lines < 2 || g.Sub < 1 {
		return fmt.Errorf("plots.%s: g.Lines must be >= 2 and g.Sub >= 1, got %d and %d", fn, g.Lines, g.Sub)
	}
	return nil
}

// Points returns the lattice points to map, one row per point, in row-major order: with
// m = (Lines-1)·Sub+1 points per axis, point i*m+j has x index j and y index i (bottom to top).
// Map them in one batch and pass the result to [WarpedGrid].
func (g WarpGrid) Points() [][]float64 {
	g = g.withDefaults()
	m := g.side()
	b := g.Domain
	pts := make([][]float64, 0, m*m)
	for i := range m {
		for j := range m {
			pts = append(pts, []float64{
				b.XMin + float64(j)*(b.XMax-b.XMin)/float64(m-1),
				b.YMin + float64(i)*(b.YMax-b.YMin)/float64(m-1),
			})
		}
	}
	return pts
}

// CellCenters returns the centres of the (Lines-1)² cells, in row-major order (cell i*(Lines-1)+j
// is in column j and row i, bottom to top): evaluate a per-cell scalar such as log|det J| on them.
func (g WarpGrid) CellCenters() [][]float64 {
	g = g.withDefaults()
	n := g.Lines - 1
	return g.Domain.GridPoints(n, n)
}

// WarpedGrid draws the image of the regular grid g under a 2D map: mapped[k] is the image of
// g.Points()[k]. If cellValues is not nil it holds one scalar per cell (in g.CellCenters() order),
// e.g. log|det J|, and each warped cell is filled with its viridis colour, with a colour bar.
// Non-finite cell values leave their cell blank.
//
// Options: Title, XLabel, YLabel, ColorLabel, ZRange, XRange, YRange, Overlay, MarkerSize, Alpha,
// Size, NoLegend, FreeAspect (the default is equal aspect, see [EqualAspect]).
// It returns an error if g is invalid, len(mapped) or len(cellValues) do not match g, or a mapped
// point does not have 2 finite coordinates.
func WarpedGrid(g WarpGrid, mapped [][]float64, cellValues []float64, opts ...Option) (*Figure, error) {
	cfg := newConfig(Default2DSize, Default2DSize, opts)
	if err := cfg.check("WarpedGrid"); err != nil {
		return nil, err
	}
	g = g.withDefaults()
	if err := g.check("WarpedGrid"); err != nil {
		return nil, err
	}
	m := g.side()
	if len(mapped) != m*m {
		return nil, fmt.Errorf("plots.WarpedGrid: len(mapped)=%d, want len(g.Points())=%d", len(mapped), m*m)
	}
	for k, pt := range mapped {
		if len(pt) != 2 || !isFinite(pt[0]) || !isFinite(pt[1]) {
			return nil, fmt.Errorf("plots.WarpedGrid: mapped[%d]=%v, want 2 finite coordinates", k, pt)
		}
	}
	nc := g.Lines - 1
	if cellValues != nil && len(cellValues) != nc*nc {
		return nil, fmt.Errorf("plots.WarpedGrid: len(cellValues)=%d, want (g.Lines-1)²=%d", len(cellValues), nc*nc)
	}
	at := func(i, j int) plotter.XY { pt := mapped[i*m+j]; return plotter.XY{X: pt[0], Y: pt[1]} }

	fp := newFigPlot(cfg, true)
	p := fp.p
	var cm *Viridis
	if cellValues != nil {
		zmin, zmax := math.Inf(1), math.Inf(-1)
		for _, v := range cellValues {
			if isFinite(v) {
				zmin, zmax = math.Min(zmin, v), math.Max(zmax, v)
			}
		}
		if cfg.zRange != nil {
			zmin, zmax = cfg.zRange[0], cfg.zRange[1]
		}
		if math.IsInf(zmin, 1) {
			zmin, zmax = 0, 1
		}
		if zmin == zmax {
			zmin, zmax = zmin-0.5, zmax+0.5
		}
		cm = NewViridis(zmin, zmax)
		for ci := range nc {
			for cj := range nc {
				v := cellValues[ci*nc+cj]
				if !isFinite(v) {
					continue
				}
				poly, err := plotter.NewPolygon(cellOutline(at, ci, cj, g.Sub))
				if err != nil {
					return nil, fmt.Errorf("plots.WarpedGrid: cell (%d, %d): %w", ci, cj, err)
				}
				poly.Color = viridisAt((v - zmin) / (zmax - zmin))
				poly.LineStyle.Width = 0
				p.Add(poly)
			}
		}
	}
	lineColor := withAlpha(rgb(0x303030), 0.9)
	if cellValues != nil {
		lineColor = withAlpha(rgb(0xffffff), 0.7)
	}
	for k := range g.Lines {
		row, col := make(plotter.XYs, m), make(plotter.XYs, m)
		for t := range m {
			row[t] = at(k*g.Sub, t)
			col[t] = at(t, k*g.Sub)
		}
		for _, xys := range []plotter.XYs{row, col} {
			l, err := plotter.NewLine(xys)
			if err != nil {
				return nil, fmt.Errorf("plots.WarpedGrid: %w", err)
			}
			l.Color = lineColor
			l.Width = vg.Points(0.8)
			p.Add(l)
		}
	}
	if err := addOverlays(fp, "WarpedGrid"); err != nil {
		return nil, err
	}
	cfg.applyRanges(p)
	// The legend avoids every lattice point; a grid line leaving the range is cut at the edge,
	// and the grid nodes (where lines cross) outside it are marked and counted.
	xs, ys := make([]float64, len(mapped)), make([]float64, len(mapped))
	var nxs, nys []float64
	for k, pt := range mapped {
		xs[k], ys[k] = pt[0], pt[1]
		if (k/m)%g.Sub == 0 && (k%m)%g.Sub == 0 {
			nxs, nys = append(nxs, pt[0]), append(nys, pt[1])
		}
	}
	fp.occ = append(fp.occ, occupant{xs: xs, ys: ys})
	fp.clipPoints(nxs, nys, rgb(0x303030), "grid nodes")
	if cm != nil && !cfg.noColorBar {
		low, high := outsideRange([][]float64{cellValues}, cm.Min(), cm.Max())
		fp.withColorMap(cm, low, high)
	}
	return fp.figure(), nil
}

// MustWarpedGrid is like [WarpedGrid] but panics on error.
func MustWarpedGrid(g WarpGrid, mapped [][]float64, cellValues []float64, opts ...Option) *Figure {
	return must(WarpedGrid(g, mapped, cellValues, opts...))
}

// WarpedGridFunc maps the points of g with f (host side, one point at a time) and draws the
// warped grid; if cellValue is not nil, each cell is coloured by cellValue(centre), evaluated at
// the cell centre in the domain. See [WarpedGrid].
func WarpedGridFunc(g WarpGrid, f func([]float64) []float64, cellValue func([]float64) float64, opts ...Option) (*Figure, error) {
	if f == nil {
		return nil, fmt.Errorf("plots.WarpedGridFunc: f is nil")
	}
	g = g.withDefaults()
	if err := g.check("WarpedGridFunc"); err != nil {
		return nil, err
	}
	pts := g.Points()
	mapped := make([][]float64, len(pts))
	for k, pt := range pts {
		mapped[k] = f(pt)
	}
	var values []float64
	if cellValue != nil {
		centres := g.CellCenters()
		values = make([]float64, len(centres))
		for k, c := range centres {
			values[k] = cellValue(c)
		}
	}
	return WarpedGrid(g, mapped, values, opts...)
}

// cellOutline returns the closed boundary of the image of cell (ci, cj) through the lattice.
func cellOutline(at func(i, j int) plotter.XY, ci, cj, sub int) plotter.XYs {
	i0, j0 := ci*sub, cj*sub
	out := make(plotter.XYs, 0, 4*sub)
	for t := 0; t < sub; t++ { // bottom, left to right
		out = append(out, at(i0, j0+t))
	}
	for t := 0; t < sub; t++ { // right, bottom to top
		out = append(out, at(i0+t, j0+sub))
	}
	for t := sub; t > 0; t-- { // top, right to left
		out = append(out, at(i0+sub, j0+t))
	}
	for t := sub; t > 0; t-- { // left, top to bottom
		out = append(out, at(i0+t, j0))
	}
	return out
}
