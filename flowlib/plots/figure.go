package plots

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html"
	"image/color"
	"os"
	"path/filepath"
	"strings"

	"github.com/janpfeifer/gonb/gonbui"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// DPI is the resolution used to render PNG images. Figure sizes are given in pixels at this
// resolution, so changing DPI changes the size of text relative to the figure.
// 100 keeps PNG files small and 10–12 pt text readable.
var DPI = 100

// Default figure sizes, in pixels.
const (
	// DefaultWidth and DefaultHeight are the size of a single-panel line plot or histogram.
	DefaultWidth, DefaultHeight = 480, 340
	// Default2DSize is the width and height of a scatter plot, heatmap or warped grid
	// (a colour bar, when present, adds ColorBarWidth).
	Default2DSize = 420
	// ColorBarWidth is the extra width taken by a colour bar.
	ColorBarWidth = 90
)

// Figure is a rendered-on-demand figure: a single plot, a multi-panel layout or a frame slider.
//
// Create one with [Line], [Histogram], [Scatter], [Heatmap], [WarpedGrid], [Panels],
// [LabeledGrid] or [FrameSlider]; show it with [Figure.Display], embed it with [Figure.HTML]
// or write it with [Figure.Save].
type Figure struct {
	title         string
	width, height int // pixels at DPI.
	drawFn        func(c draw.Canvas)
	fp            *figPlot // The plot, for figures of a single plot (HeatmapRow reuses it).

	// frames is set for a FrameSlider: its HTML holds every frame and a slider. Its static
	// rendering (PNG, SVG) is the first frame.
	frames      []*Figure
	frameLabels []string
	sliderLabel string
}

// Size returns the figure size in pixels at [DPI].
func (f *Figure) Size() (width, height int) { return f.width, f.height }

// Title returns the figure's title ("" if none).
func (f *Figure) Title() string { return f.title }

func pxToLength(px int) vg.Length { return vg.Length(px) * vg.Inch / vg.Length(DPI) }

// draw draws the static content of f on c.
func (f *Figure) draw(c draw.Canvas) {
	if f.frames != nil {
		f.frames[0].draw(c)
		return
	}
	f.drawFn(c)
}

// render draws f on a fresh canvas with a white background.
func (f *Figure) render(cv vg.CanvasSizer) {
	dc := draw.New(cv)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	f.draw(dc)
}

// PNG renders the figure as a PNG image at [DPI]. For a [FrameSlider] it renders the first frame.
func (f *Figure) PNG() (data []byte, err error) {
	defer recoverAsError("PNG", &err)
	cv := vgimg.NewWith(vgimg.UseWH(pxToLength(f.width), pxToLength(f.height)), vgimg.UseDPI(DPI))
	f.render(cv)
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: cv}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("plots: encoding PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// SVGEmbedFonts controls whether [Figure.SVG] embeds the font (DejaVu Sans, about 1 MB as
// base64) in the SVG document. Embedding is the default, so an SVG looks the same on a machine
// without DejaVu Sans installed and references nothing outside itself. With false, the SVG
// names the font-family "DejaVu Sans" and a viewer without it substitutes another font (and
// may lack glyphs such as ⊙ or ᵢ).
var SVGEmbedFonts = true

// SVG renders the figure as an SVG document (with the font embedded, see [SVGEmbedFonts]).
// Large scatter plots are rasterized inside the SVG to keep it small. For a [FrameSlider] it
// renders the first frame.
func (f *Figure) SVG() (data []byte, err error) {
	defer recoverAsError("SVG", &err)
	cv := vgsvg.NewWith(vgsvg.UseWH(pxToLength(f.width), pxToLength(f.height)), vgsvg.EmbedFonts(SVGEmbedFonts))
	f.render(cv)
	var buf bytes.Buffer
	if _, err := cv.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("plots: encoding SVG: %w", err)
	}
	return buf.Bytes(), nil
}

// HTML returns a self-contained HTML fragment showing the figure: an <img> with the PNG inlined
// as a data: URL, or, for a [FrameSlider], every frame plus a slider and a small inline script.
// It references no external resource. On a rendering error it returns an HTML error message.
func (f *Figure) HTML() string {
	if f.frames != nil {
		return f.sliderHTML()
	}
	img, err := f.imgTag()
	if err != nil {
		return errorHTML(err)
	}
	return `<div class="flowlib-figure">` + img + `</div>`
}

// imgTag returns the <img> element holding the figure's PNG.
func (f *Figure) imgTag() (string, error) {
	data, err := f.PNG()
	if err != nil {
		return "", err
	}
	return fmt.Sprintf(`<img src="data:image/png;base64,%s" width="%d" height="%d" alt="%s" style="max-width:100%%;height:auto">`,
		base64.StdEncoding.EncodeToString(data), f.width, f.height, html.EscapeString(f.title)), nil
}

func errorHTML(err error) string {
	return `<pre style="color:#b00">` + html.EscapeString(err.Error()) + `</pre>`
}

// Display shows the figure as the output of the current notebook cell (gonbui.DisplayHTML) and
// waits until GoNB has received it. Outside a GoNB notebook it does nothing: use [Figure.Save]
// in command-line programs.
func (f *Figure) Display() {
	if !gonbui.IsNotebook {
		return
	}
	displayHTML(f.HTML())
}

// displayHTML displays html and waits for GoNB to acknowledge it: a large output written just
// before the cell's program exits can otherwise be lost (observed with a ~0.5 MB FrameSlider).
func displayHTML(html string) {
	gonbui.DisplayHTML(html)
	gonbui.Sync()
}

// Save writes the figure to path; the format follows the extension: ".png", ".svg" or ".html"
// (a complete standalone page). Any other extension is an error.
func (f *Figure) Save(path string) error {
	var data []byte
	var err error
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".png":
		data, err = f.PNG()
	case ".svg":
		data, err = f.SVG()
	case ".html", ".htm":
		data = []byte(HTMLPage(f.title, f))
	default:
		return fmt.Errorf("plots: Save(%q): unknown extension %q, want .png, .svg or .html", path, ext)
	}
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("plots: Save: %w", err)
	}
	return nil
}

// HTMLPage returns a complete standalone HTML page (no external resources) showing the figures
// one below the other.
func HTMLPage(title string, figs ...*Figure) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>")
	b.WriteString(html.EscapeString(title))
	b.WriteString("</title></head>\n<body style=\"font-family:sans-serif\">\n")
	for _, f := range figs {
		b.WriteString(f.HTML())
		b.WriteString("\n")
	}
	b.WriteString("</body></html>\n")
	return b.String()
}

// uniqueID returns a fresh id usable as an HTML element id.
func uniqueID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "flowlib-" + hex.EncodeToString(b[:])
}

// recoverAsError turns a panic from gonum/plot (e.g. an invalid log-scale range) into an error.
func recoverAsError(what string, err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("plots: rendering %s: %v", what, r)
	}
}

// Option configures a figure; not every option applies to every kind of figure (see each
// constructor's documentation). Options that do not apply are ignored.
type Option func(*config)

type config struct {
	title, xLabel, yLabel, colorLabel string
	logX, logY                        bool
	width, height                     int
	xRange, yRange, zRange            *[2]float64
	markerSize, alpha                 float64
	overlays                          []PointSet
	legend                            bool
	aspect                            int  // 1: EqualAspect, -1: FreeAspect, 0: the figure's default.
	noColorBar                        bool // Set by HeatmapRow, which draws one bar for the row.
}

func newConfig(width, height int, opts []Option) *config {
	cfg := &config{width: width, height: height, markerSize: 1.5, alpha: 0.4, legend: true}
	for _, o := range opts {
		o(cfg)
	}
	return cfg
}

// Title sets the figure (or panel) title.
func Title(title string) Option { return func(c *config) { c.title = title } }

// XLabel sets the x-axis label.
func XLabel(label string) Option { return func(c *config) { c.xLabel = label } }

// YLabel sets the y-axis label.
func YLabel(label string) Option { return func(c *config) { c.yLabel = label } }

// ColorLabel sets the colour-bar label of a heatmap or warped grid, e.g. "log p(x)".
func ColorLabel(label string) Option { return func(c *config) { c.colorLabel = label } }

// LogX uses a logarithmic x axis (line plots). All x values must be positive.
func LogX() Option { return func(c *config) { c.logX = true } }

// LogY uses a logarithmic y axis (line plots). All y values must be positive.
func LogY() Option { return func(c *config) { c.logY = true } }

// LogLog uses logarithmic x and y axes (line plots), e.g. for timings.
func LogLog() Option { return func(c *config) { c.logX, c.logY = true, true } }

// Size sets the figure (or panel) size in pixels at [DPI].
func Size(width, height int) Option {
	return func(c *config) { c.width, c.height = width, height }
}

// XRange fixes the x-axis range. Scatter points (and warped-grid nodes) outside it are marked
// with a triangle at the edge and counted under the plot; a histogram drops the samples
// outside it, and says how many.
func XRange(min, max float64) Option { return func(c *config) { c.xRange = &[2]float64{min, max} } }

// YRange fixes the y-axis range. Data above or below it are marked with a triangle at the edge
// (one per point, bar or stretch of curve) and counted under the plot, with the extreme value.
func YRange(min, max float64) Option { return func(c *config) { c.yRange = &[2]float64{min, max} } }

// ZRange fixes the colour scale (vmin, vmax) of a heatmap or warped grid; values outside are
// drawn in the end colours, marked ▲/▼ at that end of the colour bar and counted under the
// plot. Use it to compare panels (see also [HeatmapRow], [ColorRangeOf]) and to clip
// log-densities that go to -Inf.
func ZRange(min, max float64) Option { return func(c *config) { c.zRange = &[2]float64{min, max} } }

// MarkerSize sets the radius of scatter markers, in points (default 1.5).
func MarkerSize(radius float64) Option { return func(c *config) { c.markerSize = radius } }

// Alpha sets the opacity of scatter markers, in [0, 1] (default 0.4).
func Alpha(alpha float64) Option { return func(c *config) { c.alpha = alpha } }

// EqualAspect draws the figure with equal data units per pixel on x and y, so a square of the
// data is a square on screen; the figure is trimmed to the data's aspect ratio, within Size.
// It is the default of [Scatter], [Heatmap] and [WarpedGrid], which plot a 2-D space.
func EqualAspect() Option { return func(c *config) { c.aspect = 1 } }

// FreeAspect lets the x and y scales differ, filling the figure's Size: for a scatter plot
// whose axes measure different things. It is the default of [Line] and [Histogram].
func FreeAspect() Option { return func(c *config) { c.aspect = -1 } }

// NoLegend hides the legend.
func NoLegend() Option { return func(c *config) { c.legend = false } }

// Overlay draws a point set on top of a heatmap or warped grid (small markers).
// It can be given several times.
func Overlay(name string, points [][]float64) Option {
	return func(c *config) { c.overlays = append(c.overlays, PointSet{Name: name, Points: points}) }
}

// check validates the common options.
func (c *config) check(fn string) error {
	if c.width <= 0 || c.height <= 0 {
		return fmt.Errorf("plots.%s: Size must be positive, got %d×%d", fn, c.width, c.height)
	}
	for _, r := range []struct {
		name string
		v    *[2]float64
	}{{"XRange", c.xRange}, {"YRange", c.yRange}, {"ZRange", c.zRange}} {
		if r.v != nil && !(r.v[0] < r.v[1]) {
			return fmt.Errorf("plots.%s: %s must have min < max, got [%g, %g]", fn, r.name, r.v[0], r.v[1])
		}
	}
	if c.logX && c.xRange != nil && c.xRange[0] <= 0 {
		return fmt.Errorf("plots.%s: XRange must be positive with LogX, got [%g, %g]", fn, c.xRange[0], c.xRange[1])
	}
	if c.logY && c.yRange != nil && c.yRange[0] <= 0 {
		return fmt.Errorf("plots.%s: YRange must be positive with LogY, got [%g, %g]", fn, c.yRange[0], c.yRange[1])
	}
	if c.alpha < 0 || c.alpha > 1 {
		return fmt.Errorf("plots.%s: Alpha must be in [0, 1], got %g", fn, c.alpha)
	}
	return nil
}

// newPlot returns a gonum plot configured with the common options.
func (c *config) newPlot() *plot.Plot {
	p := plot.New()
	p.Title.Text = c.title
	p.Title.TextStyle.Font = sansFont(12)
	p.Title.Padding = vg.Points(6)
	p.X.Label.Text = c.xLabel
	p.Y.Label.Text = c.yLabel
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Label.TextStyle.Font = sansFont(11)
		ax.Tick.Label.Font = sansFont(9)
	}
	p.Legend.TextStyle.Font = sansFont(9)
	p.Legend.Top = true
	p.Legend.XOffs, p.Legend.YOffs = -vg.Points(4), -vg.Points(4)
	p.Legend.ThumbnailWidth = vg.Points(14)
	p.X.Tick.Marker = readableTicks{plot.DefaultTicks{}}
	p.Y.Tick.Marker = readableTicks{plot.DefaultTicks{}}
	if c.logX {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = readableTicks{plot.LogTicks{Prec: -1}}
	}
	if c.logY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = readableTicks{plot.LogTicks{Prec: -1}}
	}
	return p
}

// applyRanges fixes the axis ranges after plotters were added (adding a plotter widens them).
func (c *config) applyRanges(p *plot.Plot) {
	if c.xRange != nil {
		p.X.Min, p.X.Max = c.xRange[0], c.xRange[1]
	}
	if c.yRange != nil {
		p.Y.Min, p.Y.Max = c.yRange[0], c.yRange[1]
	}
}

// margins leaves room around a plot so that the title and the last tick labels are not clipped.
func margins(c draw.Canvas) draw.Canvas {
	return draw.Crop(c, vg.Points(4), -vg.Points(10), vg.Points(2), -vg.Points(6))
}

// Colors is the qualitative palette used for series and point sets, in order (Tableau 10).
var Colors = []color.Color{
	rgb(0x1f77b4), rgb(0xff7f0e), rgb(0x2ca02c), rgb(0xd62728), rgb(0x9467bd),
	rgb(0x8c564b), rgb(0xe377c2), rgb(0x7f7f7f), rgb(0xbcbd22), rgb(0x17becf),
}

func rgb(v uint32) color.NRGBA {
	return color.NRGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 255}
}

func seriesColor(i int) color.Color { return Colors[i%len(Colors)] }

func withAlpha(c color.Color, alpha float64) color.NRGBA {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	n.A = uint8(alpha*255 + 0.5)
	return n
}
