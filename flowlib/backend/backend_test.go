package backend

import (
	"strings"
	"testing"
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
