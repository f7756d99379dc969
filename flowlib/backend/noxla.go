//go:build !(((linux && amd64) || darwin) && cgo && !noxla)

package backend

import "github.com/gomlx/compute"

const xlaCompiledIn = false

func preferredPlugin() (name, path string, ok bool) { return "", "", false }

func disableAutoInstall() {}

func describeXLA(b compute.Backend) string { return b.Description() }
