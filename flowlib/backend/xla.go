//go:build ((linux && amd64) || darwin) && cgo && !noxla

package backend

import (
	"fmt"
	"os"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/go-xla/compute/xla" // registers "xla"
	"github.com/gomlx/go-xla/pjrt"
)

const xlaCompiledIn = true

// preferredPlugin returns the installed PJRT plugin to use: CUDA when present, else CPU, else any other. It only
// looks at files (pjrt.AvailablePlugins never installs anything).
func preferredPlugin() (name, path string, ok bool) {
	plugins := pjrt.AvailablePlugins()
	for _, want := range []string{"cuda", "cpu"} {
		if p, found := plugins[want]; found {
			return want, p, true
		}
	}
	for n, p := range plugins {
		return n, p, true
	}
	return "", "", false
}

// disableAutoInstall stops go-xla from downloading its pinned plugin, which it otherwise tries at every backend
// creation, even with a plugin installed (and fails offline).
func disableAutoInstall() { xla.EnableAutoInstall(false) }

// describeXLA says which plugin b loaded: its path, its PJRT C API version, and the wheel it came from when a
// "<plugin>.wheel" file beside it says so (kernel-setup/setup.sh --with-xla-cpu writes one).
func describeXLA(b compute.Backend) string {
	xb, ok := b.(*xla.Backend)
	if !ok {
		return b.Description()
	}
	p, err := pjrt.GetPlugin(xb.PluginName())
	if err != nil {
		return b.Description()
	}
	major, minor := p.Version()
	s := fmt.Sprintf("plugin %s, PJRT C API %d.%d", p.Path(), major, minor)
	if wheel, err := os.ReadFile(p.Path() + ".wheel"); err == nil {
		s += ", from " + strings.TrimSpace(string(wheel))
	}
	return s
}
