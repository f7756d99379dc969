package nbformat

import (
	"strings"
	"testing"
	"time"
)

// What parses as JSON but is no nbformat-4 notebook must be refused, not pass with no cells.
func TestParseRefuses(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{``, "unexpected end of JSON input"},
		{`null`, "nbformat is 0, want 4"},
		{`{}`, "nbformat is 0, want 4"},
		{`{"nbformat": 3, "worksheets": [{"cells": []}]}`, "nbformat is 3, want 4"},
		{`{"nbformat": 4}`, `no "cells" list`},
		{`{"nbformat": 4, "cells": null}`, `no "cells" list`},
		{`{"nbformat": 4, "cells": {}}`, "cannot unmarshal object"},
		{`{"nbformat": 4, "cells": [{"source": 5}]}`, "want a string or a list of strings"},
		{"\xff\xfe{", "invalid character"},
	} {
		nb, err := Parse("x.ipynb", []byte(tc.doc))
		if err == nil || nb != nil {
			t.Errorf("%q: got notebook %v, error %v; want an error", tc.doc, nb, err)
			continue
		}
		if !strings.HasPrefix(err.Error(), "x.ipynb: not a notebook: ") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %q, want it to start with %q and mention %q", tc.doc, err, "x.ipynb: not a notebook: ", tc.want)
		}
	}
	if nb, err := Parse("x.ipynb", []byte(`{"nbformat": 4, "cells": []}`)); err != nil || len(nb.Cells) != 0 {
		t.Errorf("an empty nbformat-4 notebook: got %v, %v; want no cells and no error", nb, err)
	}
}

func TestBudget(t *testing.T) {
	for _, tc := range []struct {
		meta    string
		want    time.Duration
		wantErr string
	}{
		{``, time.Minute, ""},
		{`"flowlib": {}`, time.Minute, ""},
		{`"flowlib": {"timeout_seconds": 0}`, time.Minute, ""},
		{`"flowlib": {"timeout_seconds": 1.5}`, 1500 * time.Millisecond, ""},
		{`"flowlib": {"timeout_seconds": 86400}`, 24 * time.Hour, ""},
		{`"flowlib": {"timeout_seconds": -5}`, 0, "timeout_seconds = -5, want seconds in (0, 86400]"},
		// 1e300 s would overflow time.Duration into a negative budget: every cell over budget at once.
		{`"flowlib": {"timeout_seconds": 1e300}`, 0, "timeout_seconds = 1e+300, want seconds in (0, 86400]"},
	} {
		nb, err := Parse("x.ipynb", []byte(`{"nbformat": 4, "cells": [], "metadata": {`+tc.meta+`}}`))
		if err != nil {
			t.Fatal(err)
		}
		got, err := nb.Budget(time.Minute)
		switch {
		case tc.wantErr == "" && (err != nil || got != tc.want):
			t.Errorf("%s: got %v, %v; want %v", tc.meta, got, err, tc.want)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%s: got %v, error %v; want an error mentioning %q", tc.meta, got, err, tc.wantErr)
		}
	}
}
