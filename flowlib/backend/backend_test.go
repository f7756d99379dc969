package backend

import (
	"math"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
)

func TestDecide(t *testing.T) {
	t.Setenv("GOMLX_BACKEND", "")
	if c := Decide(); c.Config != GoConfig && !strings.HasPrefix(c.Config, "xla:") {
		t.Errorf("Decide without $GOMLX_BACKEND: got %q, want %q or an installed XLA plugin", c.Config, GoConfig)
	}
	t.Setenv("GOMLX_BACKEND", "go")
	if c := Decide(); c.Config != "go" || !strings.Contains(c.Reason, "GOMLX_BACKEND") {
		t.Errorf("Decide with $GOMLX_BACKEND=go: got %+v", c)
	}
	b, c, err := Choose()
	if err != nil || b == nil || !strings.Contains(c.String(), "backend go") {
		t.Errorf("Choose with $GOMLX_BACKEND=go: got %v, %q, %v", b, c, err)
	}
	t.Setenv("GOMLX_BACKEND", "tpu9000")
	if _, _, err := Choose(); err == nil || !strings.Contains(err.Error(), `unknown backend "tpu9000"`) {
		t.Errorf("Choose with an unknown backend: got %v", err)
	}
}

// TestXLA runs a graph on XLA when a PJRT plugin is installed (CI installs the CPU one: kernel-setup/xla-cpu.sh),
// and checks that the one line names the plugin and its PJRT C API version.
func TestXLA(t *testing.T) {
	if !xlaCompiledIn {
		t.Skip("built without XLA")
	}
	if _, _, ok := preferredPlugin(); !ok {
		t.Skip("no PJRT plugin installed (kernel-setup/xla-cpu.sh installs the CPU one)")
	}
	t.Setenv("GOMLX_BACKEND", "")
	b, c, err := Choose()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(c.Config, "xla:") || !strings.Contains(c.Reason, "PJRT C API 0.") {
		t.Errorf("Choose with a plugin installed: got %q, want an xla config naming the PJRT C API version", c)
	}
	got := graph.MustExecOnce(b, func(x *graph.Node) *graph.Node {
		return graph.ReduceAllSum(graph.Exp(x))
	}, []float32{0, 1, 2}).Value().(float32)
	if want := 1 + math.E + math.E*math.E; math.Abs(float64(got)-want) > 1e-5 {
		t.Errorf("Σ exp(0, 1, 2) on %s: got %v, want %v (tol 1e-5)", c.Config, got, want)
	}
}
