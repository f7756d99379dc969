// Command pjrt-install installs the XLA PJRT plugin that flowlib's XLA backend loads, using GoMLX's own
// installer (github.com/gomlx/go-xla/installer, the library behind GoMLX's auto-install), at the plugin
// version that go-xla pins. The Docker image runs it at build time so that nothing is downloaded at run time.
//
//	go run ./docker/pjrt-install -plugin cpu -dir /usr/local/lib       # CPU plugin (the image's default)
//	go run ./docker/pjrt-install -plugin cuda13 -dir /usr/local/lib    # CUDA plugin + NVIDIA libraries (GPU image)
//	go run ./docker/pjrt-install -check                                # list installed plugins, download nothing
//
// Plugins go to DIR/go-xla (DIR/go-xla/nvidia for CUDA); /usr/local/lib/go-xla is one of the folders GoMLX
// searches, so no environment variable is needed. -plugin none does nothing (a pure-Go image).
//
// -check exits 0 when a plugin is installed and 3 when none is, and never touches the network: auto-install
// is switched off before the search. With -check -run it also runs a tiny computation on the XLA backend, so
// an image build fails when the plugin cannot be loaded.
//
// Why a command of our own: go-xla v0.1.4's CLI (cmd/pjrt_installer) is a separate module that the
// project does not depend on, while the installer package is already in go.sum through GoMLX.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/go-xla/compute/xla"
	"github.com/gomlx/go-xla/installer"
	"github.com/gomlx/gomlx/core/graph"
)

// Exit codes.
const (
	exitOK       = 0
	exitFailed   = 1
	exitUsage    = 2
	exitNoPlugin = 3
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(argv []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("pjrt-install", flag.ContinueOnError)
	fl.SetOutput(stderr)
	var (
		plugin      = fl.String("plugin", "cpu", "cpu, cuda12, cuda13 (alias cuda) or none")
		dir         = fl.String("dir", "/usr/local/lib", `"lib" folder: plugins go to DIR/go-xla`)
		cudaVersion = fl.String("cuda-version", "latest", "version of the jax-cudaNN-pjrt wheel for -plugin cuda*")
		check       = fl.Bool("check", false, "only list installed plugins (no download); exit 3 if there is none")
		runGraph    = fl.Bool("run", false, "with -check: also run a small computation on the first plugin")
	)
	if err := fl.Parse(argv); err != nil || fl.NArg() > 0 {
		fl.Usage()
		return exitUsage
	}
	if *check {
		return checkInstalled(*runGraph, stdout, stderr)
	}

	goxlaDir := filepath.Join(*dir, "go-xla")
	var err error
	switch p := strings.ToLower(*plugin); p {
	case "none", "":
		fmt.Fprintln(stdout, "pjrt-install: -plugin none: nothing installed (flowlib uses its pure-Go backend)")
		return exitOK
	case "cpu":
		// CPUAutoInstall installs the version go-xla was tested with and is a no-op when it is present.
		err = installer.CPUAutoInstall(goxlaDir, false, installer.Verbose)
	case "cuda", "cuda13", "cuda12":
		if p == "cuda" {
			p = "cuda13"
		}
		// Not CudaAutoInstall: it installs only when it sees a GPU, and a build machine usually has none.
		err = installer.CudaInstall(p, *cudaVersion, goxlaDir, false, installer.Verbose)
	default:
		fmt.Fprintf(stderr, "pjrt-install: unknown -plugin %q, want cpu, cuda12, cuda13 or none\n", *plugin)
		return exitUsage
	}
	if err != nil {
		fmt.Fprintf(stderr, "pjrt-install: installing the %s PJRT plugin into %s: %v\n", *plugin, goxlaDir, err)
		return exitFailed
	}
	fmt.Fprintf(stdout, "pjrt-install: %s PJRT plugin installed in %s\n", *plugin, goxlaDir)
	return exitOK
}

// checkInstalled lists the PJRT plugins GoMLX finds, without auto-install, and optionally runs x+1 on the first.
func checkInstalled(runGraph bool, stdout, stderr io.Writer) int {
	xla.EnableAutoInstall(false)
	plugins := xla.GetAvailablePlugins()
	if len(plugins) == 0 {
		fmt.Fprintln(stderr, "pjrt-install: no PJRT plugin installed (flowlib will use its pure-Go backend)")
		return exitNoPlugin
	}
	fmt.Fprintf(stdout, "pjrt-install: PJRT plugins installed: %s\n", strings.Join(plugins, ", "))
	if !runGraph {
		return exitOK
	}
	// Only a CPU plugin can be expected to run anywhere: a CUDA one needs the GPU the build machine lacks.
	name := ""
	for _, p := range plugins {
		if p == "cpu" {
			name = p
		}
	}
	if name == "" {
		fmt.Fprintln(stdout, "pjrt-install: no CPU plugin to run a computation on (a GPU plugin runs only on a GPU host)")
		return exitOK
	}
	got, err := addOne(name)
	if err != nil {
		fmt.Fprintf(stderr, "pjrt-install: running on xla:%s: %v\n", name, err)
		return exitFailed
	}
	if got != 42 {
		fmt.Fprintf(stderr, "pjrt-install: xla:%s computed 41+1 = %v, want 42\n", name, got)
		return exitFailed
	}
	fmt.Fprintf(stdout, "pjrt-install: xla:%s ran a computation: 41+1 = %v\n", name, got)
	return exitOK
}

// addOne runs x+1 for x=41 on the named XLA plugin.
func addOne(plugin string) (result float32, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	b, err := compute.NewWithConfig("xla:" + plugin)
	if err != nil {
		return 0, err
	}
	defer b.Finalize()
	out := graph.MustExecOnce(b, func(x *graph.Node) *graph.Node { return graph.AddScalar(x, 1) }, float32(41))
	return out.Value().(float32), nil
}
