package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// notebook is the part of an executed .ipynb (nbformat 4) that the book shows.
type notebook struct {
	Cells []cell `json:"cells"`
}

type cell struct {
	CellType string    `json:"cell_type"`
	Source   multiText `json:"source"`
	Outputs  []output  `json:"outputs"`
}

// output is a stream (stdout/stderr), display_data, execute_result or error.
type output struct {
	OutputType string                     `json:"output_type"`
	Name       string                     `json:"name"`
	Text       multiText                  `json:"text"`
	Data       map[string]json.RawMessage `json:"data"`
	EName      string                     `json:"ename"`
	EValue     string                     `json:"evalue"`
	Traceback  []string                   `json:"traceback"`
}

// multiText is nbformat's multiline string: a string or a list of strings to concatenate.
type multiText string

func (m *multiText) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*m = multiText(s)
		return nil
	}
	var parts []string
	if err := json.Unmarshal(b, &parts); err != nil {
		return fmt.Errorf("want a string or a list of strings, got %.40s", b)
	}
	*m = multiText(strings.Join(parts, ""))
	return nil
}

// data returns the output's value for a MIME type, and whether it has one.
func (o output) data(mime string) (string, bool) {
	raw, ok := o.Data[mime]
	if !ok {
		return "", false
	}
	var m multiText
	if err := m.UnmarshalJSON(raw); err != nil {
		return "", false
	}
	return string(m), true
}

func readNotebook(path string) (*notebook, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var nb notebook
	if err := json.Unmarshal(b, &nb); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &nb, nil
}
