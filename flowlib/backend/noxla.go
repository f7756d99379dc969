//go:build !(((linux && amd64) || darwin) && !noxla)

package backend

const xlaCompiledIn = false

func xlaPlugins() []string { return nil }
