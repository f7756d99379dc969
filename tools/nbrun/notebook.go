package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// Notebook is the part of an .ipynb file (nbformat 4) that the runner reads.
type Notebook struct {
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

// Check is one declared value: a cell must print a line NAME=value, and the value must be a number
// in [Min, Max] (either bound may be absent).
type Check struct {
	Name string   `json:"name"`
	Min  *float64 `json:"min,omitempty"`
	Max  *float64 `json:"max,omitempty"`
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

// ReadNotebook parses an .ipynb file.
func ReadNotebook(path string) (*Notebook, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var nb Notebook
	if err := json.Unmarshal(b, &nb); err != nil {
		return nil, fmt.Errorf("%s: not a notebook: %w", path, err)
	}
	return &nb, nil
}
