// Command nbrun executes GoNB notebooks headless and fails when any of them went wrong.
//
//	go run ./tools/nbrun [flags] notebooks/*.ipynb
//
// Each notebook runs through `jupyter nbconvert --to notebook --execute` with the GoNB kernel,
// FLOWLIB_HEADLESS=1 and a per-cell timeout; the executed copy goes to -out (a temp dir by
// default), never over the source. nbconvert's exit code is not enough: a Go panic, os.Exit(1) or
// log.Fatal in a cell only prints to stderr, and the cell still counts as a success. So nbrun reads
// the executed notebook itself and fails a notebook when
//
//   - a cell has an error output, or its stderr shows "panic:", "fatal error:", a goroutine trace,
//     "exit status N" (N ≠ 0), "signal: ..." or a compile error ("undefined:", "cannot use",
//     GoNB's HTML error report);
//
//   - a cell tagged expect-output produced no output;
//
//   - a check declared in the notebook metadata is missing, not a number or out of range:
//
//     "metadata": {"flowlib": {"checks": [{"name": "NLL_FINAL", "max": 1.24}], "timeout_seconds": 180}}
//
//     where a cell prints the line NAME=value (on stdout, or as text/plain or text/markdown);
//
//   - it ran longer than its wall-time budget (timeout_seconds, else -timeout): it is stopped;
//
//   - the run left new files next to the notebook (unless -allow-new-files).
//
// With -inspect-only the arguments are already-executed notebooks and nothing is run. With
// -expect-fail the exit status is inverted: it succeeds only if every notebook fails (used by
// test.sh to prove that a notebook whose cell panics cannot pass).
//
// Exit status: 0 all passed, 1 a notebook failed, 2 usage or setup error.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/flowsgo/flows/internal/nbformat"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(argv []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("nbrun", flag.ContinueOnError)
	fl.SetOutput(stderr)
	var (
		out           = fl.String("out", "", "folder for executed copies and logs (default: a new temp dir)")
		jupyter       = fl.String("jupyter", "", "jupyter command (default: $FLOWS_JUPYTER, jupyter on PATH, or the venv kernel-setup made)")
		kernel        = fl.String("kernel", "gonb", "Jupyter kernel name")
		cellTimeout   = fl.Duration("cell-timeout", 10*time.Minute, "per-cell timeout (capped by the notebook budget)")
		budget        = fl.Duration("timeout", 20*time.Minute, "wall-time budget of a notebook that declares no flowlib.timeout_seconds")
		backend       = fl.String("backend", "", "GOMLX_BACKEND for the kernel (default: unset, the library's default)")
		jsonPath      = fl.String("json", "", "write a JSON summary to this file")
		reportPath    = fl.String("report", "", "write a Markdown summary to this file")
		inspectOnly   = fl.Bool("inspect-only", false, "do not execute: inspect already-executed notebooks")
		expectFail    = fl.Bool("expect-fail", false, "succeed only if every notebook fails (negative tests)")
		allowNewFiles = fl.Bool("allow-new-files", false, "only warn when a run leaves new files next to the notebook")
		verbose       = fl.Bool("v", false, "copy nbconvert's output to stderr")
	)
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: nbrun [flags] notebook.ipynb...")
		fl.PrintDefaults()
	}
	if err := fl.Parse(argv); err != nil {
		return 2
	}
	paths := fl.Args()
	if len(paths) == 0 {
		fl.Usage()
		return 2
	}

	var results []*Result
	if *inspectOnly {
		for _, p := range paths {
			results = append(results, inspectFile(p))
		}
	} else {
		r := &Runner{Kernel: *kernel, CellTimeout: *cellTimeout, DefaultBudget: *budget,
			Backend: *backend, AllowNewFiles: *allowNewFiles, Verbose: *verbose, Log: stdout}
		var err error
		if r.Jupyter, err = findJupyter(*jupyter); err != nil {
			fmt.Fprintf(stderr, "nbrun: %v\n", err)
			return 2
		}
		if r.OutDir = *out; r.OutDir == "" {
			if r.OutDir, err = os.MkdirTemp("", "nbrun-"); err != nil {
				fmt.Fprintf(stderr, "nbrun: %v\n", err)
				return 2
			}
		} else if err := os.MkdirAll(r.OutDir, 0o755); err != nil {
			fmt.Fprintf(stderr, "nbrun: %v\n", err)
			return 2
		}
		fmt.Fprintf(stdout, "nbrun: %d notebook(s), kernel %s, executed copies in %s\n", len(paths), r.Kernel, r.OutDir)
		for _, p := range paths {
			fmt.Fprintf(stdout, "== %s\n", p)
			res := r.Run(p)
			printResult(stdout, res)
			results = append(results, res)
		}
	}

	printSummary(stdout, results)
	if *jsonPath != "" {
		if err := writeJSON(*jsonPath, results); err != nil {
			fmt.Fprintf(stderr, "nbrun: %v\n", err)
			return 2
		}
	}
	if *reportPath != "" {
		if err := os.WriteFile(*reportPath, []byte(markdown(results)), 0o644); err != nil {
			fmt.Fprintf(stderr, "nbrun: %v\n", err)
			return 2
		}
	}

	failed := 0
	for _, r := range results {
		if !r.Passed {
			failed++
		}
	}
	if *expectFail {
		ok := true
		for _, r := range results {
			if !r.FailedAsExpected() {
				ok = false
				if r.Passed {
					fmt.Fprintf(stdout, "nbrun: -expect-fail: %s PASSED but was expected to fail\n", r.Notebook)
				} else {
					fmt.Fprintf(stdout, "nbrun: -expect-fail: %s failed, but none of its failures contains %q\n",
						r.Notebook, r.ExpectFailure)
				}
			}
		}
		if ok {
			fmt.Fprintf(stdout, "nbrun: -expect-fail: all %d notebook(s) failed as expected\n", len(results))
			return 0
		}
		return 1
	}
	if failed > 0 {
		return 1
	}
	return 0
}

func inspectFile(path string) *Result {
	res := &Result{Notebook: path, Executed: path}
	nb, err := nbformat.Read(path)
	if err != nil {
		res.Failures = []string{err.Error()}
		return res
	}
	in := Inspect(nb)
	res.Checks, res.Values = in.Checks, in.Values
	for _, f := range in.Failures {
		res.Failures = append(res.Failures, f.String())
	}
	res.Passed = len(res.Failures) == 0
	return res
}

// findJupyter resolves the jupyter command the way kernel-setup/lib.sh does.
func findJupyter(flagValue string) (string, error) {
	for _, c := range []string{flagValue, os.Getenv("FLOWS_JUPYTER")} {
		if c != "" {
			return c, nil
		}
	}
	// The venv setup.sh made comes first: a jupyter on PATH may be another install.
	venv := os.Getenv("FLOWS_JUPYTER_VENV")
	if venv == "" {
		if dir := os.Getenv("JUPYTER_DATA_DIR"); dir != "" {
			venv = filepath.Join(dir, "flows-venv")
		} else if home, err := os.UserHomeDir(); err == nil {
			data := filepath.Join(home, ".local", "share", "jupyter")
			if _, err := os.Stat(filepath.Join(home, "Library", "Jupyter")); err == nil {
				data = filepath.Join(home, "Library", "Jupyter")
			}
			venv = filepath.Join(data, "flows-venv")
		}
	}
	if p := filepath.Join(venv, "bin", "jupyter"); venv != "" {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	if p, err := exec.LookPath("jupyter"); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("jupyter not found: run kernel-setup/setup.sh, or pass -jupyter")
}

func printResult(w io.Writer, r *Result) {
	status := "PASS"
	if !r.Passed {
		status = "FAIL"
	}
	fmt.Fprintf(w, "   %s in %s (budget %s)\n", status, r.Wall.Round(100*time.Millisecond), r.Budget)
	for _, c := range r.Checks {
		mark := "ok"
		if !c.OK {
			mark = "FAIL"
		}
		v := c.Value
		if v == "" {
			v = "(missing)"
		}
		fmt.Fprintf(w, "   check %-4s %s=%s, want %s\n", mark, c.Name, v, c.Range())
	}
	for _, f := range r.Failures {
		fmt.Fprintf(w, "   failure: %s\n", f)
	}
	if r.Executed != "" {
		fmt.Fprintf(w, "   executed copy: %s\n", r.Executed)
	}
}

func printSummary(w io.Writer, results []*Result) {
	fmt.Fprintln(w, "\nnbrun summary")
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "notebook\tresult\twall\tchecks\tfailures")
	passed := 0
	for _, r := range results {
		status := "FAIL"
		if r.Passed {
			status, passed = "PASS", passed+1
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\n", filepath.Base(r.Notebook), status,
			r.Wall.Round(100*time.Millisecond), checksCell(r.Checks), len(r.Failures))
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "nbrun: %d passed, %d failed\n", passed, len(results)-passed)
}

// checksCell summarises a notebook's checks for the table; the values are printed above it.
func checksCell(checks []CheckResult) string {
	if len(checks) == 0 {
		return "-"
	}
	var bad []string
	for _, c := range checks {
		if !c.OK {
			v := c.Value
			if v == "" {
				v = "missing"
			}
			bad = append(bad, fmt.Sprintf("%s=%s", c.Name, v))
		}
	}
	if len(bad) == 0 {
		return fmt.Sprintf("%d/%d ok", len(checks), len(checks))
	}
	return fmt.Sprintf("%d/%d ok; failed: %s", len(checks)-len(bad), len(checks), strings.Join(bad, " "))
}

func writeJSON(path string, results []*Result) error {
	b, err := json.MarshalIndent(results, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func markdown(results []*Result) string {
	var b strings.Builder
	b.WriteString("| notebook | result | wall | budget | checks |\n|---|---|---|---|---|\n")
	for _, r := range results {
		status := "FAIL"
		if r.Passed {
			status = "PASS"
		}
		var checks []string
		for _, c := range r.Checks {
			v := c.Value
			if v == "" {
				v = "missing"
			}
			checks = append(checks, fmt.Sprintf("`%s=%s` (%s)", c.Name, v, c.Range()))
		}
		fmt.Fprintf(&b, "| %s | %s | %.1f s | %.0f s | %s |\n", filepath.Base(r.Notebook), status,
			r.Wall.Seconds(), r.Budget.Seconds(), strings.Join(checks, ", "))
	}
	for _, r := range results {
		if len(r.Failures) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n**%s**\n\n", filepath.Base(r.Notebook))
		for _, f := range r.Failures {
			fmt.Fprintf(&b, "- %s\n", strings.ReplaceAll(f, "|", "\\|"))
		}
	}
	return b.String()
}
