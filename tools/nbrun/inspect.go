package main

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/flowsgo/flows/internal/nbformat"
)

// Inspection is what the runner found in an executed notebook.
type Inspection struct {
	Failures []Failure
	Checks   []CheckResult
	// Values holds every NAME=value line printed, declared or not (the last one wins).
	Values map[string]string
}

// Failure is one reason a notebook fails.
type Failure struct {
	Cell   int    // 1-based index of the cell in the notebook; 0 for notebook-level failures.
	Kind   string // "panic", "exit status", "compile error", "error", "no output", "check", ...
	Detail string
}

func (f Failure) String() string {
	if f.Cell == 0 {
		return fmt.Sprintf("%s: %s", f.Kind, f.Detail)
	}
	return fmt.Sprintf("cell %d: %s: %s", f.Cell, f.Kind, f.Detail)
}

// CheckResult is a declared check and what the notebook printed for it.
type CheckResult struct {
	nbformat.Check
	Value string `json:"value"`         // As printed; "" when missing.
	OK    bool   `json:"ok"`            //
	Why   string `json:"why,omitempty"` // Why it failed.
}

// ExpectOutputTag marks a cell that must produce some output.
const ExpectOutputTag = "expect-output"

var (
	valueLine = regexp.MustCompile(`^([A-Z][A-Z0-9_]*)=(\S+)$`)

	// Signs of a failure in a stderr stream. nbconvert counts a cell as a success even when the
	// Go program panicked or exited non-zero, so the runner reads them itself.
	exitStatus  = regexp.MustCompile(`(?m)^exit status (\d+)\s*$`)
	stderrSigns = []struct {
		re   *regexp.Regexp
		kind string
	}{
		{regexp.MustCompile(`(?m)^panic: .*$`), "panic"},
		{regexp.MustCompile(`(?m)^fatal error: .*$`), "fatal error"},
		{regexp.MustCompile(`(?m)^goroutine \d+ \[.*$`), "goroutine trace"},
		{regexp.MustCompile(`(?m)^signal: .*$`), "killed by signal"},
		{regexp.MustCompile(`(?m)^.*undefined: .*$`), "compile error"},
		{regexp.MustCompile(`(?m)^.*cannot use .*$`), "compile error"},
	}
	// GoNB reports compile errors as HTML with these classes (unless started with --raw_error).
	gonbErrorHTML = regexp.MustCompile(`class="gonb-err-location">([^<]*)</span>\s*([^\n<]*)`)
)

// Inspect reads an executed notebook's outputs and its declared checks.
func Inspect(nb *nbformat.Notebook) *Inspection {
	in := &Inspection{Values: map[string]string{}}
	for i := range nb.Cells {
		cell := &nb.Cells[i]
		if cell.CellType != "code" {
			continue
		}
		idx := i + 1
		for _, o := range mergeStreams(cell.Outputs) {
			in.inspectOutput(idx, &o)
		}
		if cell.HasTag(ExpectOutputTag) && !hasVisibleOutput(cell) {
			in.fail(idx, "no output", fmt.Sprintf("cell tagged %q produced no output (source: %s)",
				ExpectOutputTag, firstLine(string(cell.Source))))
		}
	}
	if meta := nb.Metadata.Flowlib; meta != nil {
		for _, c := range meta.Checks {
			in.Checks = append(in.Checks, evalCheck(c, in.Values))
		}
	}
	for _, r := range in.Checks {
		if !r.OK {
			in.fail(0, "check "+r.Name, r.Why)
		}
	}
	return in
}

// maxDetail is the most characters of a failure's detail that reach the reports: an error output
// or a GoNB error line can be megabytes long, and the executed notebook has it all anyway.
const maxDetail = 300

func (in *Inspection) fail(cell int, kind, detail string) {
	in.Failures = append(in.Failures, Failure{Cell: cell, Kind: kind, Detail: clip(detail, maxDetail)})
}

func (in *Inspection) inspectOutput(cell int, o *nbformat.Output) {
	switch o.OutputType {
	case "error":
		in.fail(cell, "error", strings.TrimSpace(o.EName+": "+o.EValue))
	case "stream":
		text := string(o.Text)
		if o.Name == "stderr" {
			in.inspectStderr(cell, text)
		} else {
			in.collectValues(text)
		}
	case "display_data", "execute_result", "update_display_data":
		in.collectValues(o.DataText("text/plain"))
		in.collectValues(o.DataText("text/markdown"))
		if m := gonbErrorHTML.FindStringSubmatch(o.DataText("text/html")); m != nil {
			in.fail(cell, "compile error", strings.TrimSpace(m[1]+" "+m[2]))
		} else if strings.Contains(o.DataText("text/html"), `class="gonb-err-`) {
			in.fail(cell, "compile error", "GoNB error report (see the executed notebook)")
		}
	}
}

func (in *Inspection) inspectStderr(cell int, text string) {
	seen := map[string]bool{}
	for _, s := range stderrSigns {
		if seen[s.kind] {
			continue
		}
		if m := s.re.FindString(text); m != "" {
			seen[s.kind] = true
			in.fail(cell, s.kind, clip(strings.TrimSpace(m), 200))
		}
	}
	for _, m := range exitStatus.FindAllStringSubmatch(text, -1) {
		if m[1] != "0" {
			in.fail(cell, "exit status", strings.TrimSpace(m[0]))
		}
	}
}

func (in *Inspection) collectValues(text string) {
	for _, line := range strings.Split(text, "\n") {
		if m := valueLine.FindStringSubmatch(strings.TrimRight(line, " \t\r")); m != nil {
			in.Values[m[1]] = m[2]
		}
	}
}

func evalCheck(c nbformat.Check, values map[string]string) CheckResult {
	r := CheckResult{Check: c, Value: values[c.Name]}
	v, ok := values[c.Name]
	if !ok {
		r.Why = fmt.Sprintf("no cell printed %s=<value>", c.Name)
		return r
	}
	x, err := strconv.ParseFloat(v, 64)
	switch {
	case err != nil || math.IsNaN(x):
		r.Why = fmt.Sprintf("%s=%s is not a number", c.Name, v)
	case c.Min != nil && x < *c.Min:
		r.Why = fmt.Sprintf("%s=%s is below the minimum %g", c.Name, v, *c.Min)
	case c.Max != nil && x > *c.Max:
		r.Why = fmt.Sprintf("%s=%s is above the maximum %g", c.Name, v, *c.Max)
	default:
		r.OK = true
	}
	return r
}

// mergeStreams joins consecutive stream outputs of the same name, so that a line split across
// two messages is still seen whole. A run is joined once, at its end: appending fragment by fragment
// copies the text so far each time, quadratic in a cell that printed one line per message.
func mergeStreams(outs []nbformat.Output) []nbformat.Output {
	var merged []nbformat.Output
	var run []string // Texts of the stream run that ends merged; more than one when it is to be joined.
	flush := func() {
		if len(run) > 1 {
			merged[len(merged)-1].Text = nbformat.MultiText(strings.Join(run, ""))
		}
		run = run[:0]
	}
	for _, o := range outs {
		if n := len(merged); n > 0 && o.OutputType == "stream" &&
			merged[n-1].OutputType == "stream" && merged[n-1].Name == o.Name {
			run = append(run, string(o.Text))
			continue
		}
		flush()
		merged = append(merged, o)
		if o.OutputType == "stream" {
			run = append(run, string(o.Text))
		}
	}
	flush()
	return merged
}

// hasVisibleOutput reports whether a cell produced any non-empty output.
func hasVisibleOutput(c *nbformat.Cell) bool {
	for _, o := range c.Outputs {
		switch o.OutputType {
		case "stream":
			if strings.TrimSpace(string(o.Text)) != "" {
				return true
			}
		case "error":
			return true
		default:
			for mime := range o.Data {
				if t := o.DataText(mime); strings.TrimSpace(t) != "" || !strings.HasPrefix(mime, "text/") {
					return true
				}
			}
		}
	}
	return false
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " …"
	}
	return clip(s, 80)
}

// clip keeps the first n characters of s (runes, so that a cut never splits a UTF-8 sequence into
// invalid bytes), marking a cut with "…".
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for i := range s {
		if n == 0 {
			return s[:i] + "…"
		}
		n--
	}
	return s
}
