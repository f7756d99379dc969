package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/flowsgo/flows/internal/nbformat"
)

// FuzzInspect feeds arbitrary bytes to the notebook parser and, when they parse, to the output
// inspector and the report writers. Whatever the file holds (huge or binary outputs, missing
// fields, wrong JSON types, deep nesting), nothing panics; unparseable input is refused with an
// error that says it is not a notebook; and what reaches a report is valid UTF-8 of bounded size.
//
//	go test -run NONE -fuzz FuzzInspect -fuzztime 2m -parallel 1 ./tools/nbrun
func FuzzInspect(f *testing.F) {
	// Real executed notebooks, as GoNB and nbconvert write them.
	fixtures, _ := filepath.Glob(filepath.Join("testdata", "executed", "*.ipynb"))
	for _, p := range fixtures {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	const nb = `{"nbformat": 4, "nbformat_minor": 5, "metadata": {"flowlib": {"checks": [{"name": "A", "min": 0, "max": 1}], "timeout_seconds": 60}}, "cells": [`
	for _, s := range []string{
		``, `null`, `{}`, `[]`, `"x"`, `{"nbformat": 4}`, `{"nbformat": 3, "worksheets": [{"cells": []}]}`,
		`{"nbformat": 4, "cells": null}`, `{"nbformat": 4, "cells": {}}`, `{"nbformat": "4", "cells": []}`,
		nb + `]}`,
		nb + `null, {}, {"cell_type": "code"}, {"cell_type": "code", "outputs": null}]}`,
		nb + `{"cell_type": "code", "source": 5, "outputs": []}]}`,
		nb + `{"cell_type": "code", "source": ["a", 1], "outputs": []}]}`,
		nb + `{"cell_type": "code", "execution_count": "one", "outputs": []}]}`,
		nb + `{"cell_type": "code", "metadata": {"tags": "expect-output"}, "outputs": []}]}`,
		nb + `{"cell_type": "code", "metadata": {"tags": ["expect-output"]}, "outputs": [{"output_type": "display_data", "data": {"text/plain": 5, "image/png": null}}]}]}`,
		nb + `{"cell_type": "code", "outputs": [{"output_type": "stream", "name": "stdout", "text": "A=0.5\n"}]}]}`,
		nb + `{"cell_type": "code", "outputs": [{"output_type": "stream", "name": "stderr", "text": ["pan", "ic: ` + strings.Repeat("é", 300) + `\n"]}]}]}`,
		nb + `{"cell_type": "code", "outputs": [{"output_type": "error", "ename": "E", "evalue": "` + strings.Repeat("€", 2000) + `"}]}]}`,
		nb + `{"cell_type": "code", "outputs": [{"output_type": "display_data", "data": {"text/html": "<span class=\"gonb-err-location\">` + strings.Repeat("x", 3000) + `</span> ` + strings.Repeat("y", 3000) + `"}}]}]}`,
		nb + `{"cell_type": "code", "outputs": [{"output_type": "stream", "name": "stdout", "text": "\xff\xfeA=1\n\u0000"}]}]}`,
		`{"nbformat": 4, "metadata": {"flowlib": {"checks": "A", "timeout_seconds": "60"}}, "cells": []}`,
		`{"nbformat": 4, "metadata": {"flowlib": {"checks": [{"name": "A", "min": 1e400}]}}, "cells": []}`,
		`{"nbformat": 4, "metadata": {"flowlib": {"timeout_seconds": 1e300}}, "cells": []}`,
		`{"nbformat": 4, "metadata": {"flowlib": {"timeout_seconds": -5}}, "cells": []}`,
		`{"nbformat": 4, "metadata": {"flowlib": null}, "cells": [` + strings.Repeat(`[`, 20000) + `]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		nb, err := nbformat.Parse("fuzz.ipynb", data)
		if err != nil {
			if nb != nil {
				t.Errorf("got a notebook along with the error %v", err)
			}
			if !strings.HasPrefix(err.Error(), "fuzz.ipynb: not a notebook: ") {
				t.Errorf("error %q does not say which file is not a notebook", err)
			}
			return
		}
		budget, err := nb.Budget(time.Minute)
		if err == nil && !(budget > 0 && budget <= nbformat.MaxBudget) {
			t.Errorf("Budget = %v, want in (0, %v]", budget, nbformat.MaxBudget)
		}
		in := Inspect(nb)
		if meta := nb.Metadata.Flowlib; meta != nil && len(in.Checks) != len(meta.Checks) {
			t.Errorf("%d checks declared, %d evaluated", len(meta.Checks), len(in.Checks))
		}
		for _, fl := range in.Failures {
			if s := fl.String(); !utf8.ValidString(s) {
				t.Errorf("failure is not valid UTF-8: %q", s)
			}
			if n := utf8.RuneCountInString(fl.Detail); n > maxDetail+1 {
				t.Errorf("failure detail of %d characters, want at most %d: %.100q…", n, maxDetail+1, fl.Detail)
			}
		}
		for k, v := range in.Values {
			if !valueLine.MatchString(k + "=" + v) {
				t.Errorf("value %q=%q is not a NAME=value line", k, v)
			}
		}
		// The reports take what the inspection found; they must not panic either.
		res := &Result{Notebook: "fuzz.ipynb", Checks: in.Checks, Values: in.Values, Budget: budget}
		for _, fl := range in.Failures {
			res.Failures = append(res.Failures, fl.String())
		}
		printResult(io.Discard, res)
		printSummary(io.Discard, []*Result{res})
		_ = markdown([]*Result{res})
		if _, err := json.Marshal(res); err != nil {
			t.Errorf("JSON summary: %v", err)
		}
	})
}
