// Package backend picks the GoMLX backend flowlib runs on, and says why in one line.
//
//	b := backend.MustChoose()
//	// prints e.g. flowlib: backend xla:cpu: PJRT plugin "cpu" is installed; plugin /usr/local/lib/go-xla/
//	// pjrt_c_api_cpu_plugin.so, PJRT C API 0.115, from lammps-jax-pjrt-cpu 0.11.2 (PyPI wheel sha256 1319390d948b)
//
// The rule: $GOMLX_BACKEND when set; otherwise XLA when a PJRT plugin is installed (kernel-setup/setup.sh
// --with-xla-cpu installs the CPU one); otherwise the pure-Go backend, configured with parallelism=-1, the setting
// under which it does not deadlock on 2-core machines (its default can hang in the matrix-product worker pool; see
// TestGoBackendDefaultHangs). Choose never downloads anything: XLA's plugin auto-install is turned off.
package backend

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend" // registers "go"
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
	if env, ok := os.LookupEnv(compute.ConfigEnvVar); ok && env != "" {
		return Choice{Config: env, Reason: "set by $" + compute.ConfigEnvVar}
	}
	if name, _, ok := preferredPlugin(); ok {
		return Choice{Config: "xla:" + name, Reason: fmt.Sprintf("PJRT plugin %q is installed", name)}
	}
	reason := "no PJRT plugin installed"
	if !xlaCompiledIn {
		reason = "built without XLA (-tags noxla or no cgo)"
	}
	return Choice{Config: GoConfig, Reason: reason + "; pure Go, parallelism=-1 (no worker-pool deadlock on small machines)"}
}

// Choose creates the backend [Decide] picks. An unknown name in $GOMLX_BACKEND is an error that lists the
// backends compiled in. For XLA, the reason names the plugin's file, its PJRT C API version and, when the
// project's installer put it there, the wheel it came from.
func Choose() (compute.Backend, Choice, error) {
	c := Decide()
	name, _, _ := strings.Cut(c.Config, ":")
	if !slices.Contains(compute.List(), name) {
		return nil, c, fmt.Errorf("backend: unknown backend %q in %q, want one of %v", name, c.Config, compute.List())
	}
	if name == "xla" {
		disableAutoInstall()
	}
	// The pure-Go backend prints its parallelism setting; keep stdout to the one line below.
	b, err := quietly(func() (compute.Backend, error) { return compute.NewWithConfig(c.Config) })
	if err != nil {
		return nil, c, fmt.Errorf("backend: creating %q: %w", c.Config, err)
	}
	if name == "xla" {
		c.Reason += "; " + describeXLA(b)
	}
	return b, c, nil
}

// MustChoose is [Choose] for notebooks and commands: it prints the choice and panics on error.
func MustChoose() compute.Backend {
	b, c, err := Choose()
	if err != nil {
		panic(err)
	}
	fmt.Println(c)
	return b
}

// quietly runs f with os.Stdout sent to /dev/null.
func quietly(f func() (compute.Backend, error)) (compute.Backend, error) {
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
