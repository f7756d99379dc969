package fit_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"math"
	"os"
	"strings"
	"testing"
)

// The README's first Go block is the body of Example (example_test.go), so the output it promises is the output
// `go test` checks.
func TestReadmeShowsExample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(readme), "```go\n")
	block, _, closed := strings.Cut(block, "```")
	if !ok || !closed {
		t.Fatal("README.md has no ```go block")
	}

	src, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "example_test.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var body string
	for _, d := range file.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok && fn.Name.Name == "Example" {
			body = string(src[fset.Position(fn.Body.Lbrace).Offset+1 : fset.Position(fn.Body.Rbrace).Offset])
		}
	}
	if body == "" {
		t.Fatal("example_test.go has no func Example")
	}
	if got, want := normalize(block), normalize(body); got != want {
		t.Errorf("README.md's first Go block is not the body of Example in flowlib/fit/example_test.go:\nREADME:\n%s\nExample:\n%s", got, want)
	}
}

// TestExample runs the README's example and checks what it prints: the step-0 NLL near the Gaussian baseline
// 1 + log 2π = 2.84 (a batch of 256, so within 0.1), the final one at chapter 5's target (≤ 1.24), the learned
// density at the top of a moon near the true one, and the samples' mean near the data's.
func TestExample(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 2000 steps")
	}
	out := stdoutOf(t, Example)
	var nll0, nll, logp, truth, sx, sy, dx, dy float64
	if _, err := fmt.Sscanf(out, "NLL %f → %f\nlog p(0, 1) = %f, true %f\nmean of samples [%f %f], of data [%f %f]\n",
		&nll0, &nll, &logp, &truth, &sx, &sy, &dx, &dy); err != nil {
		t.Fatalf("Example printed %q: %v", out, err)
	}
	t.Logf("Example printed:\n%s", out)
	if math.Abs(nll0-2.8379) > 0.1 || nll > 1.24 {
		t.Errorf("NLL %.2f → %.2f, want about 2.84 (±0.1) → ≤ 1.24", nll0, nll)
	}
	if math.Abs(logp-truth) > 0.25 {
		t.Errorf("log p(0, 1) = %.2f, want the true %.2f ± 0.25", logp, truth)
	}
	// 1000 samples: the mean's standard error is about 0.03 in x and 0.016 in y.
	if math.Abs(sx-dx) > 0.1 || math.Abs(sy-dy) > 0.06 {
		t.Errorf("mean of samples (%.2f, %.2f), want the data's (%.2f, %.2f) ± (0.1, 0.06)", sx, sy, dx, dy)
	}
}

// stdoutOf returns what f prints to os.Stdout.
func stdoutOf(t *testing.T, f func()) string {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stdout
	os.Stdout = w
	done := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		done <- string(b)
	}()
	defer func() { os.Stdout = saved }()
	f()
	w.Close()
	return <-done
}

// normalize folds each line's white space (gofmt aligns comments with tabs, the README with spaces).
func normalize(s string) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}
