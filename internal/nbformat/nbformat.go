// Package nbformat reads Jupyter notebooks (nbformat 4): the part of an .ipynb the project's tools
// use (the runner, the book, the image's tests), and the project's "flowlib" notebook metadata.
package nbformat

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"
)

// Notebook is the part of an .ipynb file (nbformat 4) that the runner reads.
type Notebook struct {
	NBFormat int `json:"nbformat"`
	Metadata struct {
		Flowlib *FlowlibMeta `json:"flowlib"`
	} `json:"metadata"`
	Cells []Cell `json:"cells"`
}

// FlowlibMeta is the notebook-level "flowlib" metadata: what the notebook promises to print and
// how long it may take. Example:
//
//	"flowlib": {"checks": [{"name": "NLL_FINAL", "max": 1.24}], "timeout_seconds": 180}
type FlowlibMeta struct {
	Checks         []Check `json:"checks"`
	TimeoutSeconds float64 `json:"timeout_seconds"`
	// ExpectFailure, in a negative-test fixture, is text one of the notebook's failures must contain: with
	// -expect-fail, a notebook that fails for another reason (a compile error, a missing kernel) does not count.
	ExpectFailure string `json:"expect_failure,omitempty"`
}

// MaxBudget bounds a notebook's declared timeout_seconds: a day is far beyond any notebook here,
// and larger values would overflow time.Duration (about 292 years) into a negative budget.
const MaxBudget = 24 * time.Hour

// Budget returns the notebook's wall-time budget: its flowlib.timeout_seconds when declared (> 0),
// else def. A negative or absurd timeout_seconds is an error, not a silent default.
func (nb *Notebook) Budget(def time.Duration) (time.Duration, error) {
	m := nb.Metadata.Flowlib
	if m == nil || m.TimeoutSeconds == 0 {
		return def, nil
	}
	if !(m.TimeoutSeconds > 0) || m.TimeoutSeconds > MaxBudget.Seconds() {
		return 0, fmt.Errorf("metadata flowlib.timeout_seconds = %g, want seconds in (0, %g] (0 or absent: the -timeout flag)",
			m.TimeoutSeconds, MaxBudget.Seconds())
	}
	return time.Duration(m.TimeoutSeconds * float64(time.Second)), nil
}

// Check is one declared value: a cell must print a line NAME=value, and the value must be a number
// in [Min, Max] (either bound may be absent).
type Check struct {
	Name string   `json:"name"`
	Min  *float64 `json:"min,omitempty"`
	Max  *float64 `json:"max,omitempty"`
}

// Range formats the check's bounds, e.g. "[2.79, 2.89]" or "≤ 1.24".
func (c Check) Range() string {
	switch {
	case c.Min != nil && c.Max != nil:
		return fmt.Sprintf("[%g, %g]", *c.Min, *c.Max)
	case c.Min != nil:
		return fmt.Sprintf("≥ %g", *c.Min)
	case c.Max != nil:
		return fmt.Sprintf("≤ %g", *c.Max)
	}
	return "any number"
}

// Cell is one notebook cell; Source and output texts may be a string or a list of strings in the
// file, so they are kept raw and joined by [MultiText].
type Cell struct {
	CellType string    `json:"cell_type"`
	Source   MultiText `json:"source"`
	Metadata struct {
		Tags []string `json:"tags"`
	} `json:"metadata"`
	ExecutionCount *int     `json:"execution_count"`
	Outputs        []Output `json:"outputs"`
}

// Output is one cell output: a stream (stdout/stderr), display_data, execute_result or error.
type Output struct {
	OutputType string                     `json:"output_type"`
	Name       string                     `json:"name"` // Stream name.
	Text       MultiText                  `json:"text"` // Stream text.
	Data       map[string]json.RawMessage `json:"data"`
	EName      string                     `json:"ename"`
	EValue     string                     `json:"evalue"`
	Traceback  []string                   `json:"traceback"` // Error traceback lines.
}

// MultiText is nbformat's "multiline string": a string or a list of strings to concatenate.
type MultiText string

// UnmarshalJSON accepts both forms.
func (m *MultiText) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*m = MultiText(s)
		return nil
	}
	var parts []string
	if err := json.Unmarshal(b, &parts); err != nil {
		return fmt.Errorf("want a string or a list of strings: %w", err)
	}
	*m = MultiText(strings.Join(parts, ""))
	return nil
}

// DataText returns the output's data for a text mime type ("" when absent or not text).
func (o *Output) DataText(mime string) string {
	raw, ok := o.Data[mime]
	if !ok {
		return ""
	}
	var m MultiText
	if err := json.Unmarshal(raw, &m); err != nil {
		return ""
	}
	return string(m)
}

// HasTag reports whether the cell's metadata tags include tag.
func (c *Cell) HasTag(tag string) bool {
	for _, t := range c.Metadata.Tags {
		if t == tag {
			return true
		}
	}
	return false
}

// Read parses an .ipynb file (see [Parse]).
func Read(path string) (*Notebook, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, b)
}

// Parse parses the contents of an .ipynb file; name is only used in errors. It refuses what
// is not an nbformat-4 notebook with a "cells" list: `{}`, `null` or an nbformat-3 file (whose cells
// are under "worksheets") would otherwise parse as a notebook without cells, and pass.
func Parse(name string, b []byte) (*Notebook, error) {
	var nb struct {
		Notebook
		Cells *[]Cell `json:"cells"` // A pointer, to tell a missing list from an empty one.
	}
	if err := json.Unmarshal(b, &nb); err != nil {
		return nil, fmt.Errorf("%s: not a notebook: %w", name, err)
	}
	if nb.NBFormat != 4 {
		return nil, fmt.Errorf("%s: not a notebook: nbformat is %d, want 4", name, nb.NBFormat)
	}
	if nb.Cells == nil {
		return nil, fmt.Errorf("%s: not a notebook: no \"cells\" list", name)
	}
	nb.Notebook.Cells = *nb.Cells
	return &nb.Notebook, nil
}
