// Package backend picks the GoMLX backend flowlib runs on, and says why in one line.
//
//	b := backend.MustChoose() // prints e.g. "flowlib: backend go (pure Go, parallelism=-1): no PJRT plugin installed"
//
// The rule: $GOMLX_BACKEND when set; otherwise XLA when a PJRT plugin is already installed; otherwise the pure-Go
// backend, configured with parallelism=-1, the setting under which it did not deadlock on 2-core machines (its
// default can hang in DotGeneral's worker pool). Choose never downloads anything: XLA's plugin auto-install is
// turned off.
package backend

import (
	"fmt"
	"os"
	"strings"

	"github.com/gomlx/gomlx/backends"
	_ "github.com/gomlx/gomlx/backends/simplego"
)

// GoConfig is the pure-Go backend configuration Choose uses.
const GoConfig = "go:parallelism=-1"

// Choice is the chosen backend's configuration string and the reason it was chosen.
type Choice struct {
	Config, Reason string
}

func (c Choice) String() string { return fmt.Sprintf("flowlib: backend %s: %s", c.Config, c.Reason) }

// Decide applies the rule without creating a backend.
func Decide() Choice {
	if env, ok := os.LookupEnv(backends.ConfigEnvVar); ok && env != "" {
		return Choice{Config: env, Reason: "set by $" + backends.ConfigEnvVar}
	}
	if plugins := xlaPlugins(); len(plugins) > 0 {
		return Choice{Config: "xla:" + plugins[0], Reason: fmt.Sprintf("PJRT plugin %q is installed", plugins[0])}
	}
	reason := "no PJRT plugin installed"
	if !xlaCompiledIn {
		reason = "built without XLA (-tags noxla)"
	}
	return Choice{Config: GoConfig, Reason: reason + "; pure Go, parallelism=-1 (no worker-pool deadlock on small machines)"}
}

// Choose creates the backend [Decide] picks. An unknown name in $GOMLX_BACKEND is an error that lists the
// backends compiled in.
func Choose() (backends.Backend, Choice, error) {
	c := Decide()
	name, _, _ := strings.Cut(c.Config, ":")
	if !registered(name) {
		return nil, c, fmt.Errorf("backend: unknown backend %q in %q, want one of %v", name, c.Config, backends.List())
	}
	// The pure-Go backend prints its parallelism setting; keep stdout to the one line below.
	b, err := quietly(func() (backends.Backend, error) { return backends.NewWithConfig(c.Config) })
	if err != nil {
		return nil, c, fmt.Errorf("backend: creating %q: %w", c.Config, err)
	}
	return b, c, nil
}

// MustChoose is [Choose] for notebooks and commands: it prints the choice and panics on error.
func MustChoose() backends.Backend {
	b, c, err := Choose()
	if err != nil {
		panic(err)
	}
	fmt.Println(c)
	return b
}

func registered(name string) bool {
	for _, n := range backends.List() {
		if n == name {
			return true
		}
	}
	return false
}

// quietly runs f with os.Stdout sent to /dev/null.
func quietly(f func() (backends.Backend, error)) (backends.Backend, error) {
	null, err := os.Open(os.DevNull)
	if err != nil {
		return f()
	}
	defer null.Close()
	saved := os.Stdout
	os.Stdout = null
	defer func() { os.Stdout = saved }()
	return f()
}
