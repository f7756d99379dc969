package plots

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func gauss(x float64) float64 { return math.Exp(-x*x/2) / math.Sqrt(2*math.Pi) }

func testPoints(n int) [][]float64 {
	pts := make([][]float64, n)
	for i := range pts {
		t := float64(i) * 0.37
		pts[i] = []float64{math.Cos(t) * (1 + 0.1*math.Sin(7*t)), math.Sin(t)}
	}
	return pts
}

// figures returns one small figure of each kind.
func figures(t *testing.T) map[string]*Figure {
	t.Helper()
	check := func(f *Figure, err error) *Figure {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	xs := []float64{1, 2, 4, 8, 16}
	b := Bounds{XMin: -2, XMax: 2, YMin: -1.5, YMax: 1.5}
	wg := WarpGrid{Domain: b, Lines: 5, Sub: 3}
	warp := func(p []float64) []float64 { return []float64{p[0] + 0.2*p[1]*p[1], p[1]} }
	figs := map[string]*Figure{
		"line": check(Line([]Series{{Name: "a", Y: []float64{3, 2, 1.5, math.NaN(), 1.2}}, {Name: "b", X: xs, Y: xs, Dashed: true}},
			Title("loss"), XLabel("step"), YLabel("nats"))),
		"loglog":  check(Line([]Series{{Name: "t", X: xs, Y: []float64{0.1, 0.2, 0.4, 0.8, 1.6}}}, LogLog())),
		"hist":    check(Histogram([]float64{-1, -0.5, 0, 0, 0.2, 0.5, 1, 1.5}, 0, []Curve{{Name: "N(0,1)", F: gauss}})),
		"scatter": check(Scatter([]PointSet{{Name: "data", Points: testPoints(300)}, {Name: "model", Points: testPoints(50)}})),
		"heatmap": check(HeatmapFunc(b, 20, func(x, y float64) float64 { return -x*x - y*y }, ColorLabel("log p"),
			Overlay("data", testPoints(30)))),
		"warp":      check(WarpedGridFunc(wg, warp, func(p []float64) float64 { return 0.1 * p[1] }, ColorLabel("log|det J|"))),
		"warpPlain": check(WarpedGridFunc(wg, warp, nil)),
	}
	small := check(Scatter([]PointSet{{Points: testPoints(20)}}, Size(200, 200), Title("layer")))
	figs["panels"] = check(Panels(2, []*Figure{small, small, small}, Title("filmstrip")))
	figs["labeledGrid"] = check(LabeledGrid([]string{"RealNVP", "MAF"}, []string{"moons", "rings"},
		[][]*Figure{{small, small}, {small, nil}}))
	figs["slider"] = check(FrameSlider("layer", []string{"0", "1", "2"}, []*Figure{small, small, small}))
	return figs
}

var externalRef = regexp.MustCompile(`(?i)https?://|<link\b|<script[^>]*\bsrc=`)

func TestFiguresRender(t *testing.T) {
	for name, f := range figures(t) {
		t.Run(name, func(t *testing.T) {
			png, err := f.PNG()
			if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) || len(png) < 1000 {
				t.Errorf("PNG: err=%v, %d bytes", err, len(png))
			}
			svg, err := f.SVG()
			if err != nil || !bytes.Contains(svg, []byte("<svg")) || !bytes.Contains(svg, []byte("</svg>")) {
				t.Errorf("SVG: err=%v, %d bytes", err, len(svg))
			}
			h := f.HTML()
			if !strings.Contains(h, "data:image/png;base64,") {
				t.Errorf("HTML has no inline PNG: %.200s", h)
			}
			if m := externalRef.FindString(h); m != "" {
				t.Errorf("HTML references an external resource: %q", m)
			}
			if strings.Contains(h, "plots: rendering") {
				t.Errorf("HTML holds a rendering error: %.300s", h)
			}
		})
	}
}

func TestBadInputs(t *testing.T) {
	pts := testPoints(10)
	b := Bounds{XMin: 0, XMax: 1, YMin: 0, YMax: 1}
	small := MustScatter([]PointSet{{Points: pts}})
	slider := MustFrameSlider("s", []string{"a"}, []*Figure{small})
	wg := WarpGrid{Domain: b, Lines: 3, Sub: 2}
	for _, tc := range []struct {
		name, want string
		err        error
	}{
		{"line empty", "series is empty", second(Line(nil))},
		{"line mismatch", "len(X)=2 != len(Y)=3", second(Line([]Series{{Name: "a", X: []float64{1, 2}, Y: []float64{1, 2, 3}}}))},
		{"line empty Y", `series[0] "a": Y is empty`, second(Line([]Series{{Name: "a"}}))},
		{"line inf", "want finite", second(Line([]Series{{Y: []float64{1, math.Inf(1)}}}))},
		{"line logy", "must be positive with a log y axis", second(Line([]Series{{Y: []float64{1, 0}}}, LogY()))},
		{"line size", "Size must be positive", second(Line([]Series{{Y: []float64{1}}}, Size(0, 10)))},
		{"line yrange", "YRange must have min < max", second(Line([]Series{{Y: []float64{1}}}, YRange(2, 1)))},
		{"hist empty", "samples is empty", second(Histogram(nil, 10, nil))},
		{"hist nan", "samples[1]=NaN", second(Histogram([]float64{1, math.NaN()}, 10, nil))},
		{"hist nil curve", `densities[0] "p" has a nil F`, second(Histogram([]float64{1}, 10, []Curve{{Name: "p"}}))},
		{"scatter empty", "sets is empty", second(Scatter(nil))},
		{"scatter no points", `sets[0] "a" has no points`, second(Scatter([]PointSet{{Name: "a"}}))},
		{"scatter dims", "point 1 has 3 coordinates, want 2", second(Scatter([]PointSet{{Points: [][]float64{{1, 2}, {1, 2, 3}}}}))},
		{"scatter alpha", "Alpha must be in [0, 1]", second(Scatter([]PointSet{{Points: pts}}, Alpha(2)))},
		{"heatmap empty", "g.Values is empty", second(Heatmap(Grid{Bounds: b}))},
		{"heatmap ragged", "g.Values[1] has 1 values, want 2", second(Heatmap(Grid{Bounds: b, Values: [][]float64{{1, 2}, {3}}}))},
		{"heatmap bounds", "g.Bounds must be finite", second(Heatmap(Grid{Bounds: Bounds{XMin: 1, XMax: 0, YMax: 1}, Values: [][]float64{{1}}}))},
		{"heatmap nan", "no finite value", second(Heatmap(Grid{Bounds: b, Values: [][]float64{{math.NaN()}}}))},
		{"heatmap overlay", `Overlay "x": point 0 has 1 coordinates`, second(Heatmap(Grid{Bounds: b, Values: [][]float64{{1}}}, Overlay("x", [][]float64{{1}})))},
		{"grid values", "len(values)=3, want nx*ny=4", second(GridFromValues(b, 2, 2, []float64{1, 2, 3}))},
		{"grid func nil", "f is nil", second(GridFunc(b, 2, 2, nil))},
		{"warp mapped", "len(mapped)=2, want len(g.Points())=25", second(WarpedGrid(wg, [][]float64{{0, 0}, {1, 1}}, nil))},
		{"warp cells", "len(cellValues)=1, want (g.Lines-1)²=4", second(WarpedGrid(wg, wg.Points(), []float64{1}))},
		{"warp lines", "g.Lines must be >= 2", second(WarpedGrid(WarpGrid{Domain: b, Lines: 1}, nil, nil))},
		{"warp nil f", "f is nil", second(WarpedGridFunc(wg, nil, nil))},
		{"panels empty", "no (non-nil) panel", second(Panels(2, nil))},
		{"panels cols", "cols must be >= 1", second(Panels(0, []*Figure{small}))},
		{"panels nested slider", "cannot be nested", second(Panels(1, []*Figure{slider}))},
		{"grid rows", "len(rowLabels)=1 != len(figs)=2", second(LabeledGrid([]string{"a"}, []string{"x"}, [][]*Figure{{small}, {small}}))},
		{"grid cols", "len(figs[0])=1 != len(colLabels)=2", second(LabeledGrid([]string{"a"}, []string{"x", "y"}, [][]*Figure{{small}}))},
		{"slider empty", "frames is empty", second(FrameSlider("s", nil, nil))},
		{"slider labels", "len(frameLabels)=1 != len(frames)=2", second(FrameSlider("s", []string{"a"}, []*Figure{small, small}))},
		{"slider nil", "frames[0] is nil", second(FrameSlider("s", []string{"a"}, []*Figure{nil}))},
	} {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: got error %v, want one containing %q", tc.name, tc.err, tc.want)
		}
	}
}

func second[T any](_ T, err error) error { return err }

func TestFrameSlider(t *testing.T) {
	var frames []*Figure
	labels := []string{"layer 0", "layer 1", "layer <2>"}
	for i := range labels {
		frames = append(frames, MustLine([]Series{{Y: []float64{0, float64(i)}}}, Size(200, 150)))
	}
	s := MustFrameSlider("layer", labels, frames)
	h1, h2 := s.HTML(), s.HTML()
	if n := strings.Count(h1, "data:image/png;base64,"); n != len(frames) {
		t.Errorf("got %d frames in HTML, want %d", n, len(frames))
	}
	if !strings.Contains(h1, `<input type="range"`) || !strings.Contains(h1, `max="2"`) || !strings.Contains(h1, "<script>") {
		t.Errorf("HTML lacks the range input or its script: %.400s", h1)
	}
	if !strings.Contains(h1, "layer &lt;2&gt;") {
		t.Errorf("frame labels are not escaped")
	}
	id := regexp.MustCompile(`id="(flowlib-[0-9a-f]{16})"`)
	m1, m2 := id.FindStringSubmatch(h1), id.FindStringSubmatch(h2)
	if m1 == nil || m2 == nil || m1[1] == m2[1] {
		t.Fatalf("want a fresh unique id per HTML call, got %v and %v", m1, m2)
	}
	if !strings.Contains(h1, `getElementById("`+m1[1]+`")`) {
		t.Errorf("script does not address the figure's own id %s", m1[1])
	}
	if externalRef.MatchString(h1) {
		t.Errorf("slider HTML references an external resource")
	}
	if w, h := s.Size(); w != 200 || h != 150 {
		t.Errorf("Size() = %d×%d, want 200×150", w, h)
	}
	// Frames of different sizes are all rendered at the largest size.
	mixed := MustFrameSlider("x", []string{"a", "b"}, []*Figure{frames[0], MustLine([]Series{{Y: []float64{0, 1}}}, Size(260, 170))})
	if n := strings.Count(mixed.HTML(), `width="260" height="170"`); n != 2 {
		t.Errorf("%d of 2 frames rendered at 260×170", n)
	}
}

func TestSave(t *testing.T) {
	dir := t.TempDir()
	f := MustLine([]Series{{Y: []float64{1, 2, 3}}}, Title("save"))
	for ext, prefix := range map[string]string{".png": "\x89PNG", ".svg": "<?xml", ".html": "<!DOCTYPE html>", ".HTML": "<!DOCTYPE html>"} {
		path := filepath.Join(dir, "fig"+ext)
		if err := f.Save(path); err != nil {
			t.Fatalf("Save(%q): %v", path, err)
		}
		data, err := os.ReadFile(path)
		if err != nil || !bytes.HasPrefix(data, []byte(prefix)) {
			t.Errorf("Save(%q) wrote %.20q, want prefix %q (err=%v)", path, data, prefix, err)
		}
	}
	if err := f.Save(filepath.Join(dir, "fig.jpg")); err == nil || !strings.Contains(err.Error(), `unknown extension ".jpg"`) {
		t.Errorf("Save(.jpg): got %v, want an unknown-extension error", err)
	}
	if err := f.Save(filepath.Join(dir, "fig")); err == nil {
		t.Errorf("Save(no extension): want an error")
	}
	s := MustFrameSlider("s", []string{"a", "b"}, []*Figure{f, f})
	if err := s.Save(filepath.Join(dir, "slider.png")); err != nil {
		t.Errorf("FrameSlider.Save(.png): %v", err)
	}
}

func TestScatterSVGRasterizes(t *testing.T) {
	f := MustScatter([]PointSet{{Points: testPoints(RasterizeAbove + 1)}})
	svg, err := f.SVG()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(svg, []byte("<image")) {
		t.Errorf("SVG of %d points is not rasterized", RasterizeAbove+1)
	}
	if n := bytes.Count(svg, []byte("<path")); n > 200 {
		t.Errorf("SVG of a rasterized scatter has %d paths", n)
	}
}

func TestHeatmapGridOrder(t *testing.T) {
	b := Bounds{XMin: 0, XMax: 4, YMin: 0, YMax: 2}
	pts := b.GridPoints(4, 2)
	values := make([]float64, len(pts))
	for i, p := range pts {
		values[i] = 10*p[1] + p[0]
	}
	g, err := GridFromValues(b, 4, 2, values)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := GridFunc(b, 4, 2, func(x, y float64) float64 { return 10*y + x })
	for i := range want.Values {
		for j := range want.Values[i] {
			if g.Values[i][j] != want.Values[i][j] {
				t.Errorf("Values[%d][%d]: got %g, want %g", i, j, g.Values[i][j], want.Values[i][j])
			}
		}
	}
	if pts[1][0] != 1.5 || pts[1][1] != 0.5 || pts[4][1] != 1.5 {
		t.Errorf("GridPoints order: got %v", pts)
	}
}

func TestInteractionOutsideNotebook(t *testing.T) {
	if !Headless() {
		t.Fatal("Headless() = false outside a notebook")
	}
	calls := 0
	start := time.Now()
	fig, err := InteractSlider("layers", 1, 8, 4, func(n int) (*Figure, error) {
		calls++
		return Line([]Series{{Y: []float64{0, float64(n)}}})
	}).Run()
	if err != nil || fig == nil || calls != 1 {
		t.Fatalf("Run: fig=%v, err=%v, %d render calls; want a figure from one call", fig, err, calls)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Run took %s outside a notebook", d)
	}
	render := func(int) (*Figure, error) { return fig, nil }
	if _, err := InteractSlider("x", 1, 8, 9, render).Run(); err == nil {
		t.Errorf("value out of range: want an error")
	}
	if _, err := InteractSelect("x", nil, 0, render).Run(); err == nil {
		t.Errorf("empty options: want an error")
	}
	if _, err := InteractSelect("x", []string{"a"}, 0, nil).Run(); err == nil {
		t.Errorf("nil render: want an error")
	}
	if _, err := InteractSelect("x", []string{"a", "b"}, 1, render).Run(); err != nil {
		t.Errorf("select: %v", err)
	}
}

// The browser test drives the script itself (tools/browsertest); this pins what it relies on:
// the script ends the control with yieldValue when another cell's prompt shows [*], and the
// note that replaces an ended control is marked and says how to get the control back.
func TestLiveControlScriptYields(t *testing.T) {
	in := InteractSlider("layers", 0, 8, 2, func(int) (*Figure, error) { return nil, nil })
	js := in.controlJS("flowlib-live-x", "/flowlib/live/x")
	for _, want := range []string{fmt.Sprint(yieldValue), fmt.Sprint(doneValue), `"[*]"`,
		".jp-Notebook", ".jp-CodeCell", ".jp-InputPrompt", "#notebook-container", ".input_prompt"} {
		if !strings.Contains(js, want) {
			t.Errorf("control script lacks %q", want)
		}
	}
	note := in.staticNote(noteYield)
	for _, want := range []string{`class="flowlib-live-ended"`, "layers = <b>2</b>", "Run this cell again"} {
		if !strings.Contains(note, want) {
			t.Errorf("ended note lacks %q: %s", want, note)
		}
	}
}

func TestTrainingViewText(t *testing.T) {
	var buf bytes.Buffer
	v := NewTrainingView("moons", 10).Writer(&buf).Interval(0)
	for step := 1; step <= 10; step++ {
		held := math.NaN()
		if step%5 == 0 {
			held = 2.0 - 0.1*float64(step)
		}
		v.Update(step, 2.5-0.1*float64(step), held, nil)
	}
	v.Done()
	out := buf.String()
	if strings.ContainsAny(out, "\x1b\r") {
		t.Errorf("text progress holds escapes or carriage returns: %q", out)
	}
	if lines := strings.Count(out, "\n"); lines != 10 {
		t.Errorf("got %d lines, want 10 (one per step, none repeated by Done):\n%s", lines, out)
	}
	if !strings.Contains(out, "step 10/10 (100%) · train NLL 1.5000 · held-out NLL 1.0000 (step 10)") {
		t.Errorf("unexpected final line:\n%s", out)
	}
	extra := MustScatter([]PointSet{{Points: testPoints(10)}})
	v.Update(11, 1.4, math.NaN(), extra)
	f, err := v.Figure()
	if err != nil {
		t.Fatal(err)
	}
	if w, _ := f.Size(); w < 2*Default2DSize {
		t.Errorf("figure with an extra panel is %d px wide", w)
	}
}

// An overall title wider than the panels is wrapped onto more lines, each of which fits, instead of
// running off both edges.
func TestLayoutWrapsLongTitle(t *testing.T) {
	panel := func() *Figure { return MustLine([]Series{{Y: []float64{1, 2}}}, Size(200, 150)) }
	short := MustRow([]*Figure{panel(), panel()}, Title("short"))
	long := MustRow([]*Figure{panel(), panel()}, Title(strings.Repeat("a rather long overall title ", 4)))
	if long.width != short.width || long.height <= short.height {
		t.Errorf("long title: %d×%d, short title: %d×%d; want the same width and more height", long.width, long.height, short.width, short.height)
	}
	titleStyle, _ := textStyles()
	for _, l := range wrapLines([]string{strings.Repeat("a rather long overall title ", 4)}, titleStyle, pxToLength(long.width-16)) {
		if w := titleStyle.Width(strings.TrimSpace(l)); w > pxToLength(long.width) {
			t.Errorf("title line %q is %v wide, the figure %v", l, w, pxToLength(long.width))
		}
	}
}
