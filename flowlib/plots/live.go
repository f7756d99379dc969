package plots

import (
	"encoding/json"
	"fmt"
	"html"
	"math"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/comms"
	"github.com/janpfeifer/gonb/gonbui/dom"
)

// HeadlessEnv is the environment variable that, set to a non-empty value other than "0", tells
// this package that no browser front end is connected (a notebook runner executing notebooks
// with nbconvert sets it): live controls then render their static fallback at once.
const HeadlessEnv = "FLOWLIB_HEADLESS"

// Headless reports whether live controls must fall back to static figures: not running under
// GoNB, or FLOWLIB_HEADLESS is set.
func Headless() bool {
	if !gonbui.IsNotebook {
		return true
	}
	v := os.Getenv(HeadlessEnv)
	return v != "" && v != "0"
}

// Interaction is a live control — an integer slider or a select — whose value recomputes a
// figure in Go. Create one with [InteractSlider] or [InteractSelect], then call [Interaction.Run].
//
// A control is live only while its cell runs: GoNB runs a cell as a Go program and runs one cell
// at a time, so the program must keep running (the cell busy) to answer the control, and it ends
// with the cell. That is why a control ends itself as soon as the notebook has another cell
// waiting to run (Run All, or the student running another cell): Run All never waits behind a
// control. An ended control leaves the last figure and a note saying why it ended; running its
// cell again makes it live again.
type Interaction struct {
	label          string
	min, max       int
	value          int
	options        []string // Set for a select.
	render         func(value int) (*Figure, error)
	connectTimeout time.Duration
	idleTimeout    time.Duration
}

// InteractSlider returns a live integer slider over [min, max] starting at value; each time it
// moves, render(value) recomputes the figure, which is updated in place.
func InteractSlider(label string, min, max, value int, render func(value int) (*Figure, error)) *Interaction {
	return &Interaction{label: label, min: min, max: max, value: value, render: render,
		connectTimeout: 20 * time.Second, idleTimeout: 10 * time.Minute}
}

// InteractSelect returns a live drop-down list of options starting at options[index]; each time
// the selection changes, render(index) recomputes the figure, which is updated in place.
func InteractSelect(label string, options []string, index int, render func(index int) (*Figure, error)) *Interaction {
	in := InteractSlider(label, 0, len(options)-1, index, render)
	in.options = options
	return in
}

// ConnectTimeout sets how long Run waits for the browser front end to answer before it falls
// back to the static figure (default 20 s, generous because a busy 2-core machine can take that long to answer;
// GoNB itself waits up to 3 s for its connection). Headless runs set FLOWLIB_HEADLESS=1 and do not wait at all.
func (in *Interaction) ConnectTimeout(d time.Duration) *Interaction { in.connectTimeout = d; return in }

// IdleTimeout sets how long Run keeps the control live without any change before it returns
// (default 10 minutes). The "Done" button beside the control ends it at once.
func (in *Interaction) IdleTimeout(d time.Duration) *Interaction { in.idleTimeout = d; return in }

// Values the control's script sends on its address besides slider positions.
const (
	doneValue  = math.MinInt32     // the "Done" button
	yieldValue = math.MinInt32 + 1 // another cell of the notebook is waiting to run
)

// Notes that replace an ended control; the browser test looks for the words "live control ended".
const (
	noteDone     = "live control ended: Done was pressed. Run this cell again to use it"
	noteYield    = "live control ended so that the next cells could run (GoNB runs one cell at a time). Run this cell again to use it"
	noteIdle     = "live control ended after being idle. Run this cell again to use it"
	noteStopped  = "live control ended: the kernel was interrupted"
	noteNoFront  = "static figure: no live notebook front end"
	noteHeadless = "static figure: " + HeadlessEnv + " is set"
)

// Run renders the figure for the initial value and shows it, then keeps the control live until
// the user presses "Done", another cell of the notebook is waiting to run, the kernel is
// interrupted, or IdleTimeout passes with no change; then it replaces the control by a note saying
// which, and returns the last figure. The cell is busy while the control is live.
//
// "Another cell waiting" is read in the browser, from the notebook's own cells: a code cell other
// than this one whose prompt shows [*] (queued or running), in JupyterLab 4, Notebook 7 and the
// classic Notebook. Where the script finds no notebook around the control (another front end),
// only Done, an interrupt and IdleTimeout end it.
//
// It never blocks without a front end: outside GoNB it only renders and returns the figure (save
// it with [Figure.Save]); with FLOWLIB_HEADLESS set it shows the static figure and returns; and if
// no browser answers within ConnectTimeout (headless nbconvert execution) it replaces the control
// by a note and returns. It returns an error for invalid arguments or if the initial render fails.
func (in *Interaction) Run() (*Figure, error) {
	if in.render == nil {
		return nil, fmt.Errorf("plots.Interaction.Run: render is nil")
	}
	if in.options != nil && len(in.options) == 0 {
		return nil, fmt.Errorf("plots.InteractSelect: options is empty")
	}
	if in.min > in.max || in.value < in.min || in.value > in.max {
		return nil, fmt.Errorf("plots.Interaction.Run: want min <= value <= max, got min=%d, value=%d, max=%d",
			in.min, in.value, in.max)
	}
	fig, err := in.render(in.value)
	if err != nil {
		return nil, err
	}
	if fig == nil {
		return nil, fmt.Errorf("plots.Interaction.Run: render(%d) returned a nil figure", in.value)
	}
	if !gonbui.IsNotebook {
		return fig, nil
	}
	defer gonbui.Sync() // Make sure the last figure reaches GoNB before the cell's program exits.
	uid := gonbui.UniqueId()
	figID := "flowlib_live_fig_" + uid
	gonbui.UpdateHTML(figID, fig.HTML())
	if Headless() {
		gonbui.DisplayHTML(in.staticNote(noteHeadless))
		return fig, nil
	}

	ctlID, address, htmlID := "flowlib_live_ctl_"+uid, "/flowlib/live/"+uid, "flowlib-live-"+uid
	values := comms.Listen[int](address).LatestOnly()
	defer values.Close()
	// The kernel's interrupt (the stop button) reaches the cell's program as SIGINT: end the control
	// with a note instead of dying with "signal: interrupt".
	interrupted := make(chan os.Signal, 1)
	signal.Notify(interrupted, os.Interrupt)
	defer signal.Stop(interrupted)
	gonbui.UpdateHTML(ctlID, in.controlHTML(htmlID))
	// TransientJavascript waits for GoNB (gonbui.Sync), which waits up to 3 s for its websocket
	// to the browser: run it aside and count the connect timeout from now.
	go dom.TransientJavascript(in.controlJS(htmlID, address))
	end := func(note string) (*Figure, error) {
		gonbui.UpdateHTML(ctlID, in.staticNote(note))
		return fig, nil
	}
	connect := time.NewTimer(in.connectTimeout)
	defer connect.Stop()
	idle := time.NewTimer(in.idleTimeout)
	defer idle.Stop()
	connected := false
	for {
		var timeout <-chan time.Time
		if connected {
			timeout = idle.C
		} else {
			timeout = connect.C
		}
		select {
		case v := <-values.C:
			switch v {
			case doneValue:
				return end(noteDone)
			case yieldValue:
				return end(noteYield)
			}
			if max(in.min, min(in.max, v)) != in.value { // "input" and "change" both send a value
				fig = in.update(figID, v, fig)
			}
			connected = true
			idle.Reset(in.idleTimeout)
		case <-interrupted:
			return end(noteStopped)
		case <-timeout:
			if !connected {
				return end(noteNoFront)
			}
			return end(noteIdle)
		}
	}
}

// update renders the figure for value v into the block figID; on error it shows the error and
// keeps the previous figure.
func (in *Interaction) update(figID string, v int, prev *Figure) *Figure {
	v = max(in.min, min(in.max, v))
	in.value = v
	fig, err := in.render(v)
	if err == nil && fig == nil {
		err = fmt.Errorf("render(%d) returned a nil figure", v)
	}
	if err != nil {
		gonbui.UpdateHTML(figID, errorHTML(err)+prev.HTML())
		return prev
	}
	gonbui.UpdateHTML(figID, fig.HTML())
	return fig
}

// valueText is the text shown for the current value.
func (in *Interaction) valueText(v int) string {
	if in.options != nil {
		return in.options[v]
	}
	return fmt.Sprint(v)
}

const controlStyle = `font-family:sans-serif;font-size:14px;margin:4px 0;display:flex;align-items:center;gap:10px`

// staticNote replaces the control once it is no longer live (class flowlib-live-ended).
func (in *Interaction) staticNote(why string) string {
	return fmt.Sprintf(`<div class="flowlib-live-ended" style="%s"><span>%s = <b>%s</b></span>`+
		`<span style="color:#555;background:#f2f2f2;border-left:3px solid #999;padding:2px 6px">%s</span></div>`,
		controlStyle, html.EscapeString(in.label), html.EscapeString(in.valueText(in.value)), html.EscapeString(why))
}

// controlHTML is the live control: a range input or a select, the current value and a Done button.
func (in *Interaction) controlHTML(htmlID string) string {
	var input string
	if in.options != nil {
		var opts strings.Builder
		for i, o := range in.options {
			sel := ""
			if i == in.value {
				sel = " selected"
			}
			fmt.Fprintf(&opts, `<option value="%d"%s>%s</option>`, i, sel, html.EscapeString(o))
		}
		input = fmt.Sprintf(`<select id="%s">%s</select>`, htmlID, opts.String())
	} else {
		input = fmt.Sprintf(`<input type="range" id="%s" min="%d" max="%d" step="1" value="%d" style="width:260px">`,
			htmlID, in.min, in.max, in.value)
	}
	return fmt.Sprintf(`<div style="%s"><label for="%s">%s</label>%s<span id="%s-value" style="font-family:monospace">%s</span>`+
		`<button id="%s-done" title="end the live control and let the cell finish">Done</button></div>`,
		controlStyle, htmlID, html.EscapeString(in.label), input, htmlID, html.EscapeString(in.valueText(in.value)), htmlID)
}

// controlJS wires the control to the Go program through GoNB's gonb_comm websocket, and ends it
// (yieldValue) when another code cell of the same notebook is queued or running: its prompt
// shows [*]. The selectors cover JupyterLab 4 and Notebook 7 (.jp-Notebook, .jp-CodeCell,
// .jp-InputPrompt) and the classic Notebook (#notebook-container, .code_cell, .input_prompt).
func (in *Interaction) controlJS(htmlID, address string) string {
	names, _ := json.Marshal(in.options)
	return fmt.Sprintf(`(function () {
  var el = document.getElementById(%[1]q);
  var out = document.getElementById(%[1]q + "-value");
  var done = document.getElementById(%[1]q + "-done");
  var gc = globalThis.gonb_comm;
  if (!el || !gc) { console.error("flowlib: live control %[1]s cannot reach GoNB"); return; }
  var names = %[3]s;
  var ended = false;
  function send(v) { gc.send(%[2]q, v); }
  function end(v) {
    if (ended) { return; }
    ended = true; el.disabled = true; done.disabled = true; send(v);
  }
  function changed() {
    if (ended) { return; }
    var v = parseInt(el.value, 10);
    out.textContent = names ? names[v] : String(v);
    send(v);
  }
  el.addEventListener("input", changed);
  el.addEventListener("change", changed);
  done.addEventListener("click", function () { end(%[4]d); });
  send(parseInt(el.value, 10));
  var cell = el.closest(".jp-CodeCell, .code_cell");
  var notebook = el.closest(".jp-Notebook, #notebook-container");
  if (!cell || !notebook) { return; }
  function othersWaiting() {
    var cells = notebook.querySelectorAll(".jp-CodeCell, .code_cell");
    for (var i = 0; i < cells.length; i++) {
      if (cells[i] === cell) { continue; }
      var p = cells[i].querySelector(".jp-InputPrompt, .input_prompt");
      if (p && p.textContent.indexOf("[*]") >= 0) { return true; }
    }
    return false;
  }
  var timer = setInterval(function () {
    if (ended || !document.body.contains(el)) { clearInterval(timer); return; }
    if (othersWaiting()) { clearInterval(timer); end(%[5]d); }
  }, 300);
})();`, htmlID, address, names, doneValue, yieldValue)
}
