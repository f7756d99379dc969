package main

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/flowsgo/flows/flowlib/backend"
	"github.com/flowsgo/flows/flowlib/flows"
)

// cancelAfter is a context that reports itself cancelled from its n-th Err call on: fit.Fit checks Err once
// before each step, so it stops before step n exactly, as a Ctrl-C between steps would, with no timing in the test.
type cancelAfter struct {
	context.Context
	calls, n atomic.Int64
}

func (c *cancelAfter) Err() error {
	if c.calls.Add(1) >= c.n.Load() {
		return context.Canceled
	}
	return nil
}

// Interrupting train (its context cancelled, as Ctrl-C does) saves the model trained so far to -out and says so;
// the error wraps context.Canceled, so main exits with 130.
func TestTrainInterruptSavesModel(t *testing.T) {
	dir := t.TempDir()
	ctx := &cancelAfter{Context: context.Background()}
	ctx.n.Store(3)
	printed, err := runCmdContext(t, ctx, "train", "-steps", "1000", "-layers", "1", "-hidden", "4", "-n", "32",
		"-heldout", "32", "-batch", "16", "-every", "1", "-out", dir)
	path := filepath.Join(dir, "model.flow")
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "interrupted after step 2 of 1000") ||
		!strings.Contains(err.Error(), path) {
		t.Fatalf("error %v, want one wrapping context.Canceled that names step 2 and %s\n%s", err, path, printed)
	}
	if want := "interrupted after step 2 of 1000: saved the model trained so far to " + path; !strings.Contains(printed, want) {
		t.Errorf("stdout does not say %q:\n%s", want, printed)
	}
	b, _, err := backend.Choose()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := flows.Load(b, path); err != nil {
		t.Fatalf("the model saved on interrupt does not load: %v", err)
	}

	// Without -out there is nothing to save, and the error says so.
	ctx = &cancelAfter{Context: context.Background()}
	ctx.n.Store(2)
	_, err = runCmdContext(t, ctx, "train", "-steps", "1000", "-layers", "1", "-hidden", "4", "-n", "32",
		"-heldout", "32", "-batch", "16")
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "interrupted after step 1 of 1000; nothing saved (no -out)") {
		t.Errorf("interrupt without -out: got %v", err)
	}
}

// The real thing: the built command, sent SIGINT while it trains, saves the model, says so and exits with 130.
func TestTrainSIGINT(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	bin := filepath.Join(t.TempDir(), "flows")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dir := t.TempDir()
	cmd := exec.Command(bin, "train", "-steps", "10000000", "-layers", "1", "-hidden", "4", "-n", "32",
		"-heldout", "32", "-batch", "16", "-every", "1", "-out", dir)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(2*time.Minute, func() { cmd.Process.Kill() })
	defer timer.Stop()
	var printed strings.Builder
	lines := bufio.NewScanner(out)
	for lines.Scan() { // wait for the first training step, then interrupt
		printed.WriteString(lines.Text() + "\n")
		if f := strings.Fields(lines.Text()); len(f) == 3 && f[0] == "3" {
			break
		}
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	for lines.Scan() {
		printed.WriteString(lines.Text() + "\n")
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 130 {
		t.Fatalf("after SIGINT: %v, want exit status 130\nstdout:\n%s\nstderr:\n%s", err, printed.String(), stderr.String())
	}
	path := filepath.Join(dir, "model.flow")
	if !strings.Contains(printed.String(), "saved the model trained so far to "+path) ||
		!strings.Contains(stderr.String(), "interrupted after step") {
		t.Errorf("after SIGINT, stdout:\n%s\nstderr:\n%s", printed.String(), stderr.String())
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no model saved on SIGINT: %v", err)
	}
}
