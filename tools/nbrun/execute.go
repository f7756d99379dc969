package main

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/flowsgo/flows/internal/nbformat"
)

// Runner executes notebooks with nbconvert and inspects the results.
type Runner struct {
	Jupyter       string        // The jupyter command.
	Kernel        string        // Kernel name, "gonb".
	OutDir        string        // Executed copies and nbconvert logs go here.
	CellTimeout   time.Duration // Per-cell timeout given to nbconvert.
	DefaultBudget time.Duration // Wall-time budget when the notebook declares none.
	Backend       string        // GOMLX_BACKEND for the kernel; "" leaves it unset.
	AllowNewFiles bool          // Do not fail when a run leaves new files next to the notebook.
	Verbose       bool          // Copy nbconvert's stderr to ours.
	Log           io.Writer
}

// Result is the outcome for one notebook.
type Result struct {
	Notebook  string            `json:"notebook"`
	Executed  string            `json:"executed,omitempty"` // Path of the executed copy.
	Wall      time.Duration     `json:"-"`
	WallSec   float64           `json:"wall_seconds"`
	Budget    time.Duration     `json:"-"`
	BudgetSec float64           `json:"budget_seconds"`
	Checks    []CheckResult     `json:"checks"`
	Values    map[string]string `json:"values,omitempty"`
	Failures  []string          `json:"failures"`
	Passed    bool              `json:"passed"`
	// ExpectFailure is the notebook's declared expected failure (metadata flowlib.expect_failure), if any.
	ExpectFailure string `json:"expect_failure,omitempty"`
}

// FailedAsExpected reports whether the notebook failed, and, when it declares an expected failure, whether one of
// its failures contains it.
func (r *Result) FailedAsExpected() bool {
	if r.Passed {
		return false
	}
	if r.ExpectFailure == "" {
		return true
	}
	for _, f := range r.Failures {
		if strings.Contains(f, r.ExpectFailure) {
			return true
		}
	}
	return false
}

// gracePeriod is how long nbconvert gets to shut its kernel down after an interrupt.
const gracePeriod = 15 * time.Second

// Run executes one notebook and inspects it. It never modifies the source notebook.
func (r *Runner) Run(src string) *Result {
	res := &Result{Notebook: src}
	defer func() {
		res.WallSec = res.Wall.Seconds()
		res.BudgetSec = res.Budget.Seconds()
		res.Passed = len(res.Failures) == 0
	}()
	failf := func(format string, args ...any) { res.Failures = append(res.Failures, fmt.Sprintf(format, args...)) }

	nb, err := nbformat.Read(src)
	if err != nil {
		failf("%v", err)
		return res
	}
	if m := nb.Metadata.Flowlib; m != nil {
		res.ExpectFailure = m.ExpectFailure
	}
	if res.Budget, err = nb.Budget(r.DefaultBudget); err != nil {
		failf("%s: %v", src, err)
		return res
	}
	cellTimeout := r.CellTimeout
	if res.Budget < cellTimeout {
		cellTimeout = res.Budget
	}

	abs, err := filepath.Abs(src)
	if err != nil {
		failf("%v", err)
		return res
	}
	name := outName(r.OutDir, abs)
	res.Executed = filepath.Join(r.OutDir, name+".ipynb")
	logPath := filepath.Join(r.OutDir, name+".nbconvert.log")
	before := listFiles(filepath.Dir(abs))

	args := []string{"nbconvert", "--to", "notebook", "--execute",
		// Keep going after a failing cell so the executed copy shows every problem; the runner
		// (not nbconvert's exit code) decides what failed.
		"--allow-errors",
		"--ExecutePreprocessor.timeout=" + strconv.Itoa(int(cellTimeout.Seconds()+0.5)),
		"--ExecutePreprocessor.kernel_name=" + r.Kernel,
		"--output-dir", r.OutDir, "--output", name, abs}
	cmd := exec.Command(r.Jupyter, args...)
	cmd.Env = kernelEnv(os.Environ(), r.Backend)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	logFile, err := os.Create(logPath)
	if err != nil {
		failf("%v", err)
		return res
	}
	defer logFile.Close()
	var tail tailBuffer
	var stderr io.Writer = io.MultiWriter(logFile, &tail)
	if r.Verbose {
		stderr = io.MultiWriter(stderr, os.Stderr)
	}
	cmd.Stdout, cmd.Stderr = stderr, stderr

	start := time.Now()
	if err := cmd.Start(); err != nil {
		failf("cannot start %s: %v", r.Jupyter, err)
		return res
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var runErr error
	overBudget := false
	select {
	case runErr = <-done:
	case <-time.After(res.Budget):
		overBudget = true
		// The kernel runs in its own session (jupyter_client starts it so), so remember the whole
		// process tree before interrupting: SIGINT lets nbconvert shut the kernel down cleanly, and
		// whatever is still alive after the grace period is killed.
		tree := processTree(cmd.Process.Pid)
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
		select {
		case runErr = <-done:
		case <-time.After(gracePeriod):
			runErr = fmt.Errorf("killed")
		}
		for _, pid := range tree {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	res.Wall = time.Since(start)

	if overBudget {
		failf("wall-time budget exceeded: stopped after %s (budget %s, from metadata flowlib.timeout_seconds or -timeout)",
			res.Wall.Round(time.Second), res.Budget)
	} else if runErr != nil {
		failf("nbconvert failed (%v): %s (log: %s)", runErr, nbconvertReason(tail.String()), logPath)
	}

	if _, err := os.Stat(res.Executed); err != nil {
		if !overBudget && runErr == nil {
			failf("nbconvert wrote no executed notebook (log: %s)", logPath)
		}
		res.Executed = ""
	} else if executed, err := nbformat.Read(res.Executed); err != nil {
		failf("%v", err)
	} else {
		in := Inspect(executed)
		res.Checks, res.Values = in.Checks, in.Values
		for _, f := range in.Failures {
			res.Failures = append(res.Failures, f.String())
		}
	}

	if added := newFiles(before, listFiles(filepath.Dir(abs))); len(added) > 0 {
		msg := fmt.Sprintf("the run left new files next to the notebook: %s", strings.Join(added, ", "))
		if r.AllowNewFiles {
			fmt.Fprintf(r.Log, "  warning: %s\n", msg)
		} else {
			failf("%s (write to a temp dir, or pass -allow-new-files)", msg)
		}
	}
	return res
}

// kernelEnv is the environment for nbconvert and so for the kernel: headless plots and widgets,
// and GOMLX_BACKEND only when asked for.
func kernelEnv(environ []string, backend string) []string {
	var env []string
	for _, kv := range environ {
		if strings.HasPrefix(kv, "GOMLX_BACKEND=") || strings.HasPrefix(kv, "FLOWLIB_HEADLESS=") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "FLOWLIB_HEADLESS=1")
	if backend != "" {
		env = append(env, "GOMLX_BACKEND="+backend)
	}
	return env
}

// outName picks a file name (without extension) in outDir not used yet by this run.
func outName(outDir, src string) string {
	base := strings.TrimSuffix(filepath.Base(src), ".ipynb")
	name := base
	for i := 2; ; i++ {
		if _, err := os.Stat(filepath.Join(outDir, name+".ipynb")); os.IsNotExist(err) {
			return name
		}
		name = fmt.Sprintf("%s-%d", base, i)
	}
}

var nbconvertErrors = regexp.MustCompile(`(?m)^.*(CellTimeoutError|DeadKernelError|NoSuchKernel|Timeout waiting|Kernel died|Error: ).*$`)

// nbconvertReason picks the telling line of nbconvert's stderr.
func nbconvertReason(stderr string) string {
	if m := nbconvertErrors.FindAllString(stderr, -1); len(m) > 0 {
		return strings.TrimSpace(m[len(m)-1])
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// processTree returns pid and all its descendants (via ps, which Linux and macOS both have).
func processTree(pid int) []int {
	out, err := exec.Command("ps", "-A", "-o", "pid=", "-o", "ppid=").Output()
	if err != nil {
		return []int{pid}
	}
	children := map[int][]int{}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 {
			continue
		}
		p, err1 := strconv.Atoi(f[0])
		pp, err2 := strconv.Atoi(f[1])
		if err1 == nil && err2 == nil {
			children[pp] = append(children[pp], p)
		}
	}
	tree := []int{pid}
	for i := 0; i < len(tree); i++ {
		tree = append(tree, children[tree[i]]...)
	}
	return tree
}

// listFiles lists the files under dir (relative paths), skipping .git.
func listFiles(dir string) map[string]bool {
	files := map[string]bool{}
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			files[rel] = true
		}
		return nil
	})
	return files
}

// newFiles lists the files in after but not in before. Notebooks are left out: a run does not
// write them, but a colleague may add one to the folder meanwhile.
func newFiles(before, after map[string]bool) []string {
	var added []string
	for f := range after {
		if !before[f] && !strings.HasSuffix(f, ".ipynb") {
			added = append(added, f)
		}
	}
	sort.Strings(added)
	return added
}

// tailBuffer keeps the last 64 KiB written to it.
type tailBuffer struct{ b bytes.Buffer }

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b.Write(p)
	if over := t.b.Len() - 64<<10; over > 0 {
		t.b.Next(over)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return t.b.String() }
