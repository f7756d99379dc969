package plots

import (
	"fmt"
	"html"
	"strings"
)

// FrameSlider returns a figure holding precomputed frames and an HTML range slider that selects
// which frame is visible, showing frameLabels[i] beside it (e.g. the flow layer or training step).
//
// The frames, the slider and a small inline script live in the figure's own HTML: the slider
// works in a live notebook and in exported HTML with no kernel round trip and no network. Each
// call to [Figure.HTML] uses fresh element ids, so several sliders can share a page. Where scripts
// do not run (an untrusted notebook), the first frame is shown. PNG and SVG renderings, and
// panels built from the figure, show the first frame.
//
// Every frame is rendered at the size of the largest, so the page does not jump as the slider
// moves (frames of one kind may differ by a line of clip notes, or in aspect ratio); each is
// embedded as a PNG, so keep their number moderate (tens). It returns an error if frames is empty, len(frameLabels) != len(frames), a frame is nil
// or a frame is itself a FrameSlider.
func FrameSlider(label string, frameLabels []string, frames []*Figure) (*Figure, error) {
	if len(frames) == 0 {
		return nil, fmt.Errorf("plots.FrameSlider: frames is empty")
	}
	if len(frameLabels) != len(frames) {
		return nil, fmt.Errorf("plots.FrameSlider: len(frameLabels)=%d != len(frames)=%d", len(frameLabels), len(frames))
	}
	w, h := 0, 0
	for i, f := range frames {
		if f == nil {
			return nil, fmt.Errorf("plots.FrameSlider: frames[%d] is nil", i)
		}
		if f.frames != nil {
			return nil, fmt.Errorf("plots.FrameSlider: frames[%d] is a FrameSlider, which cannot be nested", i)
		}
		w, h = max(w, f.width), max(h, f.height)
	}
	sized := make([]*Figure, len(frames))
	for i, f := range frames {
		sized[i] = f
		if f.width != w || f.height != h {
			g := *f
			g.width, g.height = w, h
			sized[i] = &g
		}
	}
	return &Figure{title: label, width: w, height: h, frames: sized, frameLabels: frameLabels, sliderLabel: label}, nil
}

// MustFrameSlider is like [FrameSlider] but panics on error.
func MustFrameSlider(label string, frameLabels []string, frames []*Figure) *Figure {
	return must(FrameSlider(label, frameLabels, frames))
}

// sliderHTML renders a FrameSlider: controls, one <div> per frame (only the first visible) and
// the script that wires the range input to the frames.
func (f *Figure) sliderHTML() string {
	id := uniqueID()
	var b strings.Builder
	fmt.Fprintf(&b, `<div class="flowlib-slider" id="%s">`+"\n", id)
	fmt.Fprintf(&b, `<div style="font-family:sans-serif;font-size:14px;margin:4px 0;display:flex;align-items:center;gap:10px">`+
		`<label for="%[1]s-range">%[2]s</label>`+
		`<input type="range" id="%[1]s-range" min="0" max="%[3]d" step="1" value="0" style="width:%[4]dpx">`+
		`<span id="%[1]s-label" style="font-family:monospace">%[5]s</span></div>`+"\n",
		id, html.EscapeString(f.sliderLabel), len(f.frames)-1, min(320, max(160, f.width-160)),
		html.EscapeString(f.frameLabels[0]))
	for i, frame := range f.frames {
		img, err := frame.imgTag()
		if err != nil {
			img = errorHTML(err)
		}
		display := ""
		if i > 0 {
			display = ` style="display:none"`
		}
		fmt.Fprintf(&b, `<div class="flowlib-frame" data-label="%s"%s>%s</div>`+"\n",
			html.EscapeString(f.frameLabels[i]), display, img)
	}
	b.WriteString("</div>\n")
	// Plain ES5 so that it runs in every notebook front end; no external resource.
	fmt.Fprintf(&b, `<script>
(function () {
  var root = document.getElementById(%[1]q);
  if (!root) { return; }
  var range = document.getElementById(%[1]q + "-range");
  var label = document.getElementById(%[1]q + "-label");
  var frames = root.getElementsByClassName("flowlib-frame");
  function show(i) {
    for (var k = 0; k < frames.length; k++) { frames[k].style.display = (k === i) ? "" : "none"; }
    label.textContent = frames[i].getAttribute("data-label");
  }
  range.addEventListener("input", function () { show(parseInt(range.value, 10)); });
  show(parseInt(range.value, 10));
})();
</script>`, id)
	return b.String()
}
