package plots

import (
	"bytes"
	"image"
	"image/png"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"
)

// arrangeAt lays out the single-plot figure f on a canvas of its own size.
func arrangeAt(t *testing.T, f *Figure) arrangement {
	t.Helper()
	if f.fp == nil {
		t.Fatal("figure is not a single plot")
	}
	c := draw.Canvas{Canvas: &recorder.Canvas{}, Rectangle: vg.Rectangle{Max: vg.Point{X: pxToLength(f.width), Y: pxToLength(f.height)}}}
	return f.fp.arrange(c)
}

// TestEqualAspect checks that 2-D figures draw equal data units per pixel on x and y: the
// data area's pixel width/height equals the data range's width/height.
func TestEqualAspect(t *testing.T) {
	b := Bounds{XMin: -4, XMax: 5, YMin: -2, YMax: 4}
	wg := WarpGrid{Domain: b, Lines: 4, Sub: 2}
	for name, tc := range map[string]struct {
		f      *Figure
		dx, dy float64
		equal  bool
	}{
		"scatter ranges": {MustScatter([]PointSet{{Points: testPoints(50)}}, XRange(-4, 5), YRange(-4, 4)), 9, 8, true},
		"scatter tall":   {MustScatter([]PointSet{{Points: testPoints(50)}}, XRange(-1, 1), YRange(-3, 3), Size(300, 300)), 2, 6, true},
		"heatmap":        {must(HeatmapFunc(b, 10, func(x, y float64) float64 { return x + y })), 9, 6, true},
		"warp":           {MustWarpedGrid(wg, wg.Points(), nil), 9, 6, true},
		"warp colours":   {MustWarpedGrid(wg, wg.Points(), make([]float64, 9), ColorLabel("c")), 9, 6, true},
		"scatter free":   {MustScatter([]PointSet{{Points: testPoints(50)}}, XRange(-1, 1), YRange(-3, 3), FreeAspect()), 2, 6, false},
		"line equal":     {MustLine([]Series{{X: []float64{0, 9}, Y: []float64{0, 6}}}, XRange(0, 9), YRange(0, 6), EqualAspect()), 9, 6, true},
	} {
		a := arrangeAt(t, tc.f)
		w, h := float64(a.data.Max.X-a.data.Min.X), float64(a.data.Max.Y-a.data.Min.Y)
		got, want := w/h, tc.dx/tc.dy
		if tc.equal && math.Abs(got/want-1) > 1e-6 {
			t.Errorf("%s: data area %.1f×%.1f pt, ratio %.4f, want %.4f (tol 1e-6)", name, w, h, got, want)
		}
		if !tc.equal && math.Abs(got/want-1) < 0.1 {
			t.Errorf("%s: FreeAspect still equal: ratio %.4f", name, got)
		}
		// The figure is trimmed to the aspect: little unused space is left.
		if tc.equal && (a.slack.X > pxToLength(2) || a.slack.Y > pxToLength(2)) {
			t.Errorf("%s: figure %d×%d leaves %.1f×%.1f pt unused", name, tc.f.width, tc.f.height, a.slack.X, a.slack.Y)
		}
	}
}

// TestLegendAvoidsData checks that the legend box covers no data point: with data filling the
// top half, the legend goes to a bottom corner; with data everywhere, outside the data area.
func TestLegendAvoidsData(t *testing.T) {
	var top, all [][]float64
	for i := range 40 {
		for j := range 40 {
			x, y := float64(i)/39*4-2, float64(j)/39*4-2
			all = append(all, []float64{x, y})
			if y > 0 || x > 1 {
				top = append(top, []float64{x, y})
			}
		}
	}
	for name, tc := range map[string]struct {
		pts     [][]float64
		outside bool
	}{"top half": {top, false}, "everywhere": {all, true}} {
		f := MustScatter([]PointSet{{Name: "data points", Points: tc.pts}, {Name: "more", Points: tc.pts[:5]}})
		a := arrangeAt(t, f)
		trX, trY := f.fp.p.Transforms(&a.data)
		r := a.legend
		for _, p := range tc.pts {
			x, y := trX(p[0]), trY(p[1])
			if x >= r.Min.X && x <= r.Max.X && y >= r.Min.Y && y <= r.Max.Y {
				t.Errorf("%s: legend %v covers data point %v", name, r, p)
				break
			}
		}
		overlaps := r.Min.X < a.data.Max.X && r.Max.X > a.data.Min.X && r.Min.Y < a.data.Max.Y && r.Max.Y > a.data.Min.Y
		if overlaps == tc.outside {
			t.Errorf("%s: legend %v inside the data area %v = %v, want %v", name, r, a.data.Rectangle, overlaps, !tc.outside)
		}
		if _, err := f.PNG(); err != nil {
			t.Error(err)
		}
	}
	// A loss curve falling from the top left: the legend goes top right, clear of it.
	steps := make([]float64, 100)
	loss := make([]float64, 100)
	for i := range steps {
		steps[i], loss[i] = float64(i), 3*math.Exp(-float64(i)/15)
	}
	f := MustLine([]Series{{Name: "train", X: steps, Y: loss}})
	a := arrangeAt(t, f)
	if a.legend.Min.X < (a.data.Min.X+a.data.Max.X)/2 || a.legend.Min.Y < (a.data.Min.Y+a.data.Max.Y)/2 {
		t.Errorf("loss curve: legend at %v, want the top right of %v", a.legend, a.data.Rectangle)
	}
}

// TestClipMarks checks that data cut off by a user-set range are marked and counted.
func TestClipMarks(t *testing.T) {
	samples := make([]float64, 0, 400)
	for i := range 400 {
		samples = append(samples, 0.1*math.Sin(float64(i)))
	}
	clipped := MustHistogram(samples, 20, []Curve{{Name: "N(0, 0.1)", F: func(x float64) float64 { return 10 * gauss(10*x) }}},
		YRange(0, 2), XRange(-0.5, 0.5))
	if len(clipped.fp.clips) == 0 {
		t.Fatal("histogram taller than YRange: no clip marks")
	}
	notes := strings.Join(clipped.fp.noteLines(), "\n")
	for _, want := range []string{"▲", "▲ clipped: 4 bars above y = 2 (max", "▲ clipped: 1 curve segment above y = 2 (max 3.989)"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes %q lack %q", notes, want)
		}
	}
	unclipped := MustHistogram(samples, 20, nil, YRange(0, 10), XRange(-0.5, 0.5))
	if len(unclipped.fp.clips) != 0 || len(unclipped.fp.noteLines()) != 0 {
		t.Errorf("histogram within YRange: clips %v, notes %q", unclipped.fp.clips, unclipped.fp.noteLines())
	}
	// The marks are drawn: dark outline pixels along the top edge of the data area.
	a := arrangeAt(t, clipped)
	img := decodePNG(t, clipped)
	px := func(l vg.Length) int { return int(float64(l) / float64(pxToLength(1))) }
	y := img.Bounds().Max.Y - px(a.data.Max.Y) + 2
	dark := 0
	for x := px(a.data.Min.X); x < px(a.data.Max.X); x++ {
		r, g, b, _ := img.At(x, y).RGBA()
		if r < 0x6000 && g < 0x6000 && b < 0x6000 {
			dark++
		}
	}
	if dark == 0 {
		t.Errorf("no clip mark drawn along the top edge (row %d)", y)
	}

	pts := [][]float64{{0, 0}, {0.5, 0.5}, {3, 0}, {0, -3}, {-5, -5}}
	sc := MustScatter([]PointSet{{Points: pts}}, XRange(-1, 1), YRange(-1, 1))
	notes = strings.Join(sc.fp.noteLines(), "\n")
	for _, want := range []string{"▶ clipped: 1 point right of x = 1", "▼ clipped: 2 points below y = −1", "◀ clipped: 1 point left of x = −1"} {
		if !strings.Contains(notes, want) {
			t.Errorf("scatter notes %q lack %q", notes, want)
		}
	}
	// Notes are wrapped to a narrow panel's width.
	narrow := MustScatter([]PointSet{{Points: pts}}, XRange(-1, 1), YRange(-4, 4), Size(150, 150))
	for _, l := range narrow.fp.wrapped {
		if w := noteStyle().Width(l); w > pxToLength(narrow.width)-vg.Points(6) {
			t.Errorf("note line %q is %.0f pt wide in a %.0f pt figure", l, w, pxToLength(narrow.width))
		}
	}
	if len(narrow.fp.wrapped) <= len(narrow.fp.noteLines()) {
		t.Errorf("notes %q not wrapped in a 150 px figure: %q", narrow.fp.noteLines(), narrow.fp.wrapped)
	}
	// Colour: values outside ZRange are counted and marked on the colour bar.
	g, _ := GridFunc(Bounds{XMin: 0, XMax: 1, YMin: 0, YMax: 1}, 10, 10, func(x, y float64) float64 { return x })
	hm := MustHeatmap(g, ZRange(0.2, 0.5))
	if hm.fp.cmLow != 20 || hm.fp.cmHi != 50 {
		t.Errorf("heatmap ZRange(0.2, 0.5) of x on 10 columns: %d below, %d above; want 20, 50", hm.fp.cmLow, hm.fp.cmHi)
	}
	if notes := strings.Join(hm.fp.noteLines(), "\n"); !strings.Contains(notes, "▲ colour clipped: 50 values above 0.5") {
		t.Errorf("heatmap notes %q", notes)
	}
}

func decodePNG(t *testing.T, f *Figure) image.Image {
	t.Helper()
	data, err := f.PNG()
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// TestHeatmapRowSharesScale checks that HeatmapRow puts every panel on one colour scale.
func TestHeatmapRowSharesScale(t *testing.T) {
	b := Bounds{XMin: 0, XMax: 1, YMin: 0, YMax: 1}
	g1, _ := GridFunc(b, 4, 4, func(x, y float64) float64 { return x })
	g2, _ := GridFunc(b, 4, 4, func(x, y float64) float64 { return 3 * x })
	if lo, hi := ColorRangeOf(g1, g2); lo != 0.125 || hi != 2.625 {
		t.Errorf("ColorRangeOf = %g, %g; want 0.125, 2.625", lo, hi)
	}
	f, err := HeatmapRow([]Grid{g1, g2}, []string{"a", "b"}, Size(200, 200), Title("shared"))
	if err != nil {
		t.Fatal(err)
	}
	if w, _ := f.Size(); w < 2*150+ColorBarWidth {
		t.Errorf("HeatmapRow width %d", w)
	}
	if _, err := f.PNG(); err != nil {
		t.Fatal(err)
	}
	if _, err := HeatmapRow([]Grid{g1}, []string{"a", "b"}); err == nil || !strings.Contains(err.Error(), "len(titles)=2 != len(grids)=1") {
		t.Errorf("titles mismatch: got %v", err)
	}
	if _, err := HeatmapRow(nil, nil); err == nil {
		t.Errorf("no grids: want an error")
	}
}
