package plots

import (
	"fmt"
	"html"
	"io"
	"math"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
)

// TrainingView shows training progress while a long cell runs: in a notebook, a progress line
// and a loss curve (and optionally an extra figure, e.g. the current density heatmap) that update
// in place; elsewhere, plain-text progress lines on stdout (with no ANSI escapes; a carriage
// return rewrites the line only when stdout is a terminal).
//
//	v := plots.NewTrainingView("RealNVP on two moons", numSteps)
//	for step := range numSteps {
//		loss := trainStep()
//		heldOut := math.NaN()
//		if step%100 == 0 {
//			heldOut = evalHeldOut()
//		}
//		v.Update(step+1, loss, heldOut, nil)
//	}
//	v.Done()
type TrainingView struct {
	mu         sync.Mutex
	title      string
	totalSteps int
	start      time.Time
	interval   time.Duration
	lastDraw   time.Time
	out        io.Writer
	terminal   bool

	steps, train       []float64
	heldSteps, heldOut []float64
	extra              *Figure
	displayID          string
	lastStep           int
	drawn              bool
	printedStep        int // Last step written as text, -1 if none.
}

// NewTrainingView returns a view for a run of totalSteps steps (0 if unknown).
func NewTrainingView(title string, totalSteps int) *TrainingView {
	v := &TrainingView{title: title, totalSteps: totalSteps, start: time.Now(), out: os.Stdout,
		displayID: "flowlib_training_" + gonbui.UniqueId(), printedStep: -1}
	if fi, err := os.Stdout.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
		v.terminal = true
	}
	switch {
	case gonbui.IsNotebook:
		v.interval = time.Second
	case v.terminal:
		v.interval = 200 * time.Millisecond
	default:
		v.interval = 10 * time.Second // Log files: a line every 10 s is plenty.
	}
	return v
}

// Interval sets the minimum time between redraws (notebook) or progress lines (text).
func (v *TrainingView) Interval(d time.Duration) *TrainingView { v.interval = d; return v }

// Writer sets where text progress goes when not in a notebook (default os.Stdout). A writer
// other than a terminal gets one line per update.
func (v *TrainingView) Writer(w io.Writer) *TrainingView {
	v.out, v.terminal = w, false
	return v
}

// Update records the losses of step (counted from 1) and redraws if Interval has passed since the
// last redraw, or at the last step. heldOutNLL is NaN when not evaluated at this step; non-finite
// training losses are recorded as gaps. extra, if not nil, replaces the figure shown beside the
// loss curve.
func (v *TrainingView) Update(step int, trainNLL, heldOutNLL float64, extra *Figure) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.lastStep = step
	v.steps = append(v.steps, float64(step))
	if !isFinite(trainNLL) {
		trainNLL = math.NaN()
	}
	v.train = append(v.train, trainNLL)
	if isFinite(heldOutNLL) {
		v.heldSteps = append(v.heldSteps, float64(step))
		v.heldOut = append(v.heldOut, heldOutNLL)
	}
	if extra != nil {
		v.extra = extra
	}
	now := time.Now()
	if now.Sub(v.lastDraw) < v.interval && !(v.totalSteps > 0 && step >= v.totalSteps) {
		return
	}
	v.lastDraw = now
	v.drawn = true
	if gonbui.IsNotebook {
		gonbui.UpdateHTML(v.displayID, v.htmlLocked())
		return
	}
	v.printedStep = step
	if v.terminal {
		fmt.Fprintf(v.out, "\r%s   ", v.progressLocked())
	} else {
		fmt.Fprintln(v.out, v.progressLocked())
	}
}

// Done ends the view: in a notebook the transient block is replaced by a final static progress
// line and figure that survive saving the notebook; elsewhere the final progress line is printed
// (unless the last Update already printed it).
func (v *TrainingView) Done() {
	v.mu.Lock()
	defer v.mu.Unlock()
	if gonbui.IsNotebook {
		if v.drawn {
			gonbui.UpdateHTML(v.displayID, "")
		}
		displayHTML(v.htmlLocked())
		return
	}
	switch {
	case v.terminal && v.printedStep == v.lastStep:
		fmt.Fprintln(v.out)
	case v.terminal:
		fmt.Fprintf(v.out, "\r%s   \n", v.progressLocked())
	case v.printedStep != v.lastStep:
		fmt.Fprintln(v.out, v.progressLocked())
	}
	v.printedStep = v.lastStep
}

// Figure returns the current loss curve (with the extra figure beside it, if any), e.g. to save it
// from a command-line program. It returns an error if no finite loss was recorded.
func (v *TrainingView) Figure() (*Figure, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.figureLocked()
}

// Progress returns the current progress line, e.g. "step 500/2000 (25%) · train NLL 1.2345 · ...".
func (v *TrainingView) Progress() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.progressLocked()
}

func (v *TrainingView) progressLocked() string {
	var b strings.Builder
	if v.title != "" {
		b.WriteString(v.title + ": ")
	}
	elapsed := time.Since(v.start)
	if v.totalSteps > 0 {
		frac := float64(v.lastStep) / float64(v.totalSteps)
		fmt.Fprintf(&b, "step %d/%d (%.0f%%)", v.lastStep, v.totalSteps, 100*frac)
	} else {
		fmt.Fprintf(&b, "step %d", v.lastStep)
	}
	if n := len(v.train); n > 0 && isFinite(v.train[n-1]) {
		fmt.Fprintf(&b, " · train NLL %.4f", v.train[n-1])
	}
	if n := len(v.heldOut); n > 0 {
		fmt.Fprintf(&b, " · held-out NLL %.4f (step %d)", v.heldOut[n-1], int(v.heldSteps[n-1]))
	}
	fmt.Fprintf(&b, " · %s", elapsed.Round(100*time.Millisecond))
	if v.totalSteps > 0 && v.lastStep > 0 && v.lastStep < v.totalSteps {
		eta := time.Duration(float64(elapsed) * float64(v.totalSteps-v.lastStep) / float64(v.lastStep))
		fmt.Fprintf(&b, ", ~%s left", eta.Round(time.Second))
	}
	return b.String()
}

func (v *TrainingView) figureLocked() (*Figure, error) {
	series := []Series{{Name: "train", X: v.steps, Y: v.train}}
	if len(v.heldOut) > 0 {
		series = append(series, Series{Name: "held-out", X: v.heldSteps, Y: v.heldOut})
	}
	loss, err := Line(series, Title("NLL"), XLabel("step"), YLabel("nats / point"))
	if err != nil {
		return nil, err
	}
	if v.extra == nil {
		return loss, nil
	}
	return Row([]*Figure{loss, v.extra})
}

func (v *TrainingView) htmlLocked() string {
	var b strings.Builder
	fmt.Fprintf(&b, `<div style="font-family:monospace;font-size:13px;margin:4px 0">%s</div>`, html.EscapeString(v.progressLocked()))
	if fig, err := v.figureLocked(); err == nil {
		b.WriteString(fig.HTML())
	}
	return b.String()
}
