package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowsgo/flows/internal/nbformat"
)

// The fixtures in testdata/executed were executed with the real GoNB kernel from the sources in
// testdata/src (go run ./tools/nbrun -out DIR tools/nbrun/testdata/src/*.ipynb, then copied), so
// they hold exactly what GoNB and nbconvert write. No kernel is needed here.
func TestInspectFixtures(t *testing.T) {
	tests := []struct {
		file string
		// Each string must appear in some failure; none means the notebook must pass.
		wantFailures []string
	}{
		{"clean.ipynb", nil},
		{"panic.ipynb", []string{"panic: diverged", "goroutine trace", "exit status 2"}},
		{"exit_status.ipynb", []string{"exit status 1"}},
		{"shell_exit.ipynb", []string{"exit status 1"}},
		{"compile_error.ipynb", []string{"compile error", "cannot use 3"}},
		{"missing_check.ipynb", []string{"no cell printed CH1_INTEGRAL=<value>"}},
		{"check_out_of_range.ipynb", []string{
			"NLL_FINAL=1.3100 is above the maximum 1.24", "CH1_INTEGRAL=0.97 is below the minimum 0.999"}},
		{"empty_expect_output.ipynb", []string{`cell 3: no output`}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			nb, err := nbformat.Read(filepath.Join("testdata", "executed", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			in := Inspect(nb)
			var got []string
			for _, f := range in.Failures {
				got = append(got, f.String())
			}
			all := strings.Join(got, "\n")
			if len(tc.wantFailures) == 0 && len(got) > 0 {
				t.Fatalf("want a pass, got failures:\n%s", all)
			}
			if len(tc.wantFailures) > 0 && len(got) == 0 {
				t.Fatalf("want failures %q, got a pass", tc.wantFailures)
			}
			for _, w := range tc.wantFailures {
				if !strings.Contains(all, w) {
					t.Errorf("failures do not mention %q; got:\n%s", w, all)
				}
			}
		})
	}
}

func TestCleanFixtureValues(t *testing.T) {
	nb, err := nbformat.Read("testdata/executed/clean.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	in := Inspect(nb)
	want := map[string]string{"NLL_STEP0": "2.8379", "NLL_FINAL": "1.2310", "CH1_INTEGRAL": "1.0000"}
	for k, v := range want {
		if in.Values[k] != v {
			t.Errorf("Values[%s] = %q, want %q (stdout and text/markdown outputs)", k, in.Values[k], v)
		}
	}
	if _, ok := in.Values["X"]; ok {
		t.Errorf("a line %q must not count as a value", "X=1 2")
	}
	if len(in.Checks) != 3 {
		t.Fatalf("got %d checks, want 3", len(in.Checks))
	}
}

// Small hand-written notebooks for the cases GoNB does not produce on its own.
func TestInspectSynthetic(t *testing.T) {
	const head = `{"nbformat": 4, "nbformat_minor": 5, "metadata": {%s}, "cells": [%s]}`
	code := func(tags, outputs string) string {
		return `{"cell_type": "code", "source": "x", "metadata": {"tags": [` + tags + `]}, "outputs": [` + outputs + `]}`
	}
	stream := func(name, text string) string {
		return `{"output_type": "stream", "name": "` + name + `", "text": ` + text + `}`
	}
	tests := []struct {
		name, meta, cells string
		wantFail          string // "" for a pass
	}{
		{"error output", ``, code(``, `{"output_type": "error", "ename": "RuntimeError", "evalue": "x", "traceback": []}`), "RuntimeError"},
		{"exit status 0 is fine", ``, code(``, stream("stderr", `"exit status 0\n"`)), ""},
		{"stderr warnings are fine", ``, code(``, stream("stderr", `"W1128 warning: slow\n"`)), ""},
		{"panic split across stream messages", ``,
			code(``, stream("stderr", `"pan"`)+`,`+stream("stderr", `"ic: boom\n"`)), "panic: boom"},
		{"fatal error", ``, code(``, stream("stderr", `["fatal error: all goroutines are asleep - deadlock!\n", "\n", "goroutine 1 [chan receive]:\n"]`)), "fatal error"},
		{"undefined", ``, code(``, stream("stderr", `"./main.go:3:2: undefined: foo\n"`)), "undefined: foo"},
		{"panic on stdout is only text", ``, code(``, stream("stdout", `"panic: is a word\n"`)), ""},
		{"expect-output with output", ``, code(`"expect-output"`, stream("stdout", `"hi\n"`)), ""},
		{"expect-output with image", ``, code(`"expect-output"`, `{"output_type": "display_data", "data": {"image/png": "iVBOR"}, "metadata": {}}`), ""},
		{"expect-output with blank text", ``, code(`"expect-output"`, stream("stdout", `"\n"`)), "no output"},
		{"check not a number", `"flowlib": {"checks": [{"name": "A"}]}`, code(``, stream("stdout", `"A=NaN\n"`)), "not a number"},
		{"check text/plain, no bounds", `"flowlib": {"checks": [{"name": "A"}]}`,
			code(``, `{"output_type": "execute_result", "data": {"text/plain": "A=3"}, "metadata": {}, "execution_count": 1}`), ""},
		{"last value wins", `"flowlib": {"checks": [{"name": "A", "max": 1}]}`, code(``, stream("stdout", `"A=5\nA=0.5\n"`)), ""},
		{"value lines must be whole", `"flowlib": {"checks": [{"name": "A"}]}`, code(``, stream("stdout", `"loss A=1\n"`)), "no cell printed A"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "nb.ipynb")
			doc := strings.Replace(strings.Replace(head, "%s", tc.meta, 1), "%s", tc.cells, 1)
			if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
				t.Fatal(err)
			}
			nb, err := nbformat.Read(path)
			if err != nil {
				t.Fatal(err)
			}
			var all []string
			for _, f := range Inspect(nb).Failures {
				all = append(all, f.String())
			}
			got := strings.Join(all, "\n")
			if tc.wantFail == "" && got != "" {
				t.Fatalf("want a pass, got:\n%s", got)
			}
			if tc.wantFail != "" && !strings.Contains(got, tc.wantFail) {
				t.Fatalf("want a failure mentioning %q, got:\n%q", tc.wantFail, got)
			}
		})
	}
}

// The command itself, in -inspect-only mode: exit codes, -expect-fail, reports.
func TestRunInspectOnly(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	if code := run([]string{"-inspect-only", "testdata/executed/clean.ipynb"}, &out, &errOut); code != 0 {
		t.Fatalf("clean: exit %d, want 0\n%s%s", code, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "1 passed, 0 failed") {
		t.Errorf("summary missing:\n%s", out.String())
	}
	out.Reset()
	jsonPath, mdPath := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.md")
	code := run([]string{"-inspect-only", "-json", jsonPath, "-report", mdPath,
		"testdata/executed/clean.ipynb", "testdata/executed/panic.ipynb"}, &out, &errOut)
	if code != 1 {
		t.Fatalf("clean+panic: exit %d, want 1\n%s", code, out.String())
	}
	for _, p := range []string{jsonPath, mdPath} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "NLL_FINAL") || !strings.Contains(string(b), "panic: diverged") {
			t.Errorf("%s lacks the check value or the failure:\n%s", p, b)
		}
	}
	if code := run([]string{"-inspect-only", "-expect-fail", "testdata/executed/panic.ipynb"}, &out, &errOut); code != 0 {
		t.Errorf("-expect-fail on a failing notebook: exit %d, want 0", code)
	}
	if code := run([]string{"-inspect-only", "-expect-fail", "testdata/executed/clean.ipynb"}, &out, &errOut); code != 1 {
		t.Errorf("-expect-fail on a passing notebook: exit %d, want 1", code)
	}
	if code := run(nil, &out, &errOut); code != 2 {
		t.Errorf("no arguments: exit %d, want 2", code)
	}
}

func TestKernelEnv(t *testing.T) {
	env := kernelEnv([]string{"HOME=/h", "GOMLX_BACKEND=xla", "FLOWLIB_HEADLESS=0"}, "")
	got := strings.Join(env, " ")
	if got != "HOME=/h FLOWLIB_HEADLESS=1" {
		t.Errorf("kernelEnv = %q, want GOMLX_BACKEND unset and FLOWLIB_HEADLESS=1", got)
	}
	env = kernelEnv([]string{"HOME=/h"}, "go")
	if got := strings.Join(env, " "); got != "HOME=/h FLOWLIB_HEADLESS=1 GOMLX_BACKEND=go" {
		t.Errorf("kernelEnv with backend = %q", got)
	}
}

func TestNewFiles(t *testing.T) {
	before := map[string]bool{"a.ipynb": true, "x.go": true}
	after := map[string]bool{"a.ipynb": true, "x.go": true, "b.ipynb": true, "model.flow": true, "go.mod": true}
	if got := strings.Join(newFiles(before, after), ","); got != "go.mod,model.flow" {
		t.Errorf("newFiles = %q, want %q (new notebooks are ignored)", got, "go.mod,model.flow")
	}
}

// TestFailedAsExpected: a negative fixture counts only when it fails for its declared reason.
func TestFailedAsExpected(t *testing.T) {
	cases := []struct {
		r    Result
		want bool
	}{
		{Result{Passed: true}, false},
		{Result{Failures: []string{"cell 2: compile error"}}, true},
		{Result{Failures: []string{"cell 2: compile error"}, ExpectFailure: "panic: boom"}, false},
		{Result{Failures: []string{"cell 4: panic: panic: boom"}, ExpectFailure: "panic: boom"}, true},
	}
	for i, c := range cases {
		if got := c.r.FailedAsExpected(); got != c.want {
			t.Errorf("case %d (%+v): got %v, want %v", i, c.r, got, c.want)
		}
	}
}
