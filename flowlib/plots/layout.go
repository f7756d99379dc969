package plots

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Panels lays figures out in a grid of cols columns, row-major: a filmstrip (one panel per flow
// layer) is Panels(len(figs), figs), a side-by-side comparison Panels(2, figs).
// Each cell is as large as the largest panel; a nil panel leaves its cell empty.
// Panel titles are the panels' own Title options.
//
// Options: Title (an overall title above the panels).
// It returns an error if figs is empty or all nil, cols < 1, or a panel is a [FrameSlider].
func Panels(cols int, figs []*Figure, opts ...Option) (*Figure, error) {
	if cols < 1 {
		return nil, fmt.Errorf("plots.Panels: cols must be >= 1, got %d", cols)
	}
	rows := (len(figs) + cols - 1) / cols
	grid := make([][]*Figure, rows)
	for r := range rows {
		grid[r] = make([]*Figure, cols)
		copy(grid[r], figs[r*cols:min(len(figs), (r+1)*cols)])
	}
	return layout("Panels", nil, nil, grid, opts)
}

// MustPanels is like [Panels] but panics on error.
func MustPanels(cols int, figs []*Figure, opts ...Option) *Figure {
	return must(Panels(cols, figs, opts...))
}

// Row lays figures side by side; it is Panels(len(figs), figs, opts...).
func Row(figs []*Figure, opts ...Option) (*Figure, error) {
	return Panels(max(len(figs), 1), figs, opts...)
}

// MustRow is like [Row] but panics on error.
func MustRow(figs []*Figure, opts ...Option) *Figure { return must(Row(figs, opts...)) }

// LabeledGrid lays out figs[r][c] in a grid with a label to the left of each row and above each
// column, e.g. models × datasets. A nil panel leaves its cell empty.
//
// Options: Title (an overall title above the grid).
// It returns an error if figs is empty or all nil, len(rowLabels) != len(figs), a row of figs
// does not have len(colLabels) panels, or a panel is a [FrameSlider].
func LabeledGrid(rowLabels, colLabels []string, figs [][]*Figure, opts ...Option) (*Figure, error) {
	if len(rowLabels) != len(figs) {
		return nil, fmt.Errorf("plots.LabeledGrid: len(rowLabels)=%d != len(figs)=%d", len(rowLabels), len(figs))
	}
	for r, row := range figs {
		if len(row) != len(colLabels) {
			return nil, fmt.Errorf("plots.LabeledGrid: len(figs[%d])=%d != len(colLabels)=%d", r, len(row), len(colLabels))
		}
	}
	return layout("LabeledGrid", rowLabels, colLabels, figs, opts)
}

// MustLabeledGrid is like [LabeledGrid] but panics on error.
func MustLabeledGrid(rowLabels, colLabels []string, figs [][]*Figure, opts ...Option) *Figure {
	return must(LabeledGrid(rowLabels, colLabels, figs, opts...))
}

// Layout margins, in pixels: the overall title's first line, each further line of a title
// wrapped to the layout's width, and row and column labels.
const (
	titleHeight     = 30
	titleLineHeight = 18
	labelSize       = 26
)

func layout(fn string, rowLabels, colLabels []string, grid [][]*Figure, opts []Option) (*Figure, error) {
	cfg := newConfig(0, 0, opts)
	cellW, cellH := 0, 0
	for r, row := range grid {
		for c, f := range row {
			if f == nil {
				continue
			}
			if f.frames != nil {
				return nil, fmt.Errorf("plots.%s: panel (%d, %d) is a FrameSlider, which cannot be nested", fn, r, c)
			}
			cellW, cellH = max(cellW, f.width), max(cellH, f.height)
		}
	}
	if cellW == 0 {
		return nil, fmt.Errorf("plots.%s: figs has no (non-nil) panel", fn)
	}
	left, top := 0, 0
	if rowLabels != nil {
		left = labelSize
	}
	rows, cols := len(grid), len(grid[0])
	width := left + cols*cellW
	var title []string // the overall title, wrapped to the layout's width
	if cfg.title != "" {
		titleStyle, _ := textStyles()
		for _, l := range wrapLines([]string{cfg.title}, titleStyle, pxToLength(width-16)) {
			title = append(title, strings.TrimSpace(l))
		}
		top += titleHeight + (len(title)-1)*titleLineHeight
	}
	if colLabels != nil {
		top += labelSize
	}
	fig := &Figure{title: cfg.title, width: width, height: top + rows*cellH}
	fig.drawFn = func(c draw.Canvas) {
		titleStyle, labelStyle := textStyles()
		// Pixel offsets from the top-left corner to canvas coordinates.
		x := func(px int) vg.Length { return c.Min.X + pxToLength(px) }
		y := func(px int) vg.Length { return c.Max.Y - pxToLength(px) }
		for i, l := range title {
			c.FillText(titleStyle, vg.Point{X: x(fig.width / 2), Y: y(titleHeight/2 + i*titleLineHeight)}, l)
		}
		for j, l := range colLabels {
			c.FillText(labelStyle, vg.Point{X: x(left + j*cellW + cellW/2), Y: y(top - labelSize/2)}, l)
		}
		rotated := labelStyle
		rotated.Rotation = math.Pi / 2
		for i, l := range rowLabels {
			c.FillText(rotated, vg.Point{X: x(labelSize / 2), Y: y(top + i*cellH + cellH/2)}, l)
		}
		for i, row := range grid {
			for j, f := range row {
				if f == nil {
					continue
				}
				cell := c
				cell.Min = vg.Point{X: x(left + j*cellW), Y: y(top + i*cellH + cellH)}
				cell.Max = vg.Point{X: x(left + j*cellW + cellW), Y: y(top + i*cellH)}
				f.draw(cell)
			}
		}
	}
	return fig, nil
}

// textStyles returns centred text styles for layout titles (bold-ish, larger) and labels.
func textStyles() (title, label text.Style) {
	p := plot.New()
	title = p.Title.TextStyle
	title.Font = sansFont(14)
	title.XAlign, title.YAlign = draw.XCenter, draw.YCenter
	label = p.Title.TextStyle
	label.Font = sansFont(12)
	label.XAlign, label.YAlign = draw.XCenter, draw.YCenter
	return title, label
}
