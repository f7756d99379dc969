//go:build ((linux && amd64) || darwin) && !noxla

package backend

import "github.com/gomlx/gomlx/backends/xla"

const xlaCompiledIn = true

// xlaPlugins lists installed PJRT plugins, with auto-install off so nothing is downloaded.
func xlaPlugins() []string {
	xla.EnableAutoInstall(false)
	return xla.GetAvailablePlugins()
}
