// Command flows trains and compares normalizing flows from the command line, without Jupyter.
//
//	go run ./flowlib/cmd/flows train -dataset moons -steps 2000 -out out/moons
//	go run ./flowlib/cmd/flows help
//
// Figures are drawn by flowlib/plots, the same package the notebooks use.
//
// Every command checks all its flags, then creates its -out folder and writes a probe file there,
// before any work or output: a typo fails in a second, not after the training. Out-of-range, NaN and
// infinite values are errors that name the flag and the range it wants; a zero means a default only
// where the flag's help says so. After training, the trained models are saved first, then the tables
// and figures; an output that cannot be written does not stop the others, and the error lists it.
// Ctrl-C (or SIGTERM) during train stops it after the current step: the model trained so far is saved to
// -out, stdout says where, and the command exits with status 130; a second Ctrl-C quits at once.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// command is one subcommand: a one-line summary and a function of its own arguments. For an interruptible
// command, ctx is cancelled by Ctrl-C (os.Interrupt) or SIGTERM, and the command stops at its next step and keeps
// what it has; the others get a context that is never cancelled and are ended by the signal the default way.
type command struct {
	summary       string
	run           func(ctx context.Context, args []string) error
	interruptible bool
}

// commands maps each subcommand name to its command; each command's file registers it in init.
var commands = map[string]command{}

func main() {
	if len(os.Args) < 2 || os.Args[1] == "help" || os.Args[1] == "-h" || os.Args[1] == "--help" {
		usage()
		return
	}
	cmd, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "flows: unknown command %q\n\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	ctx, stop := context.Background(), func() {}
	if cmd.interruptible {
		ctx, stop = signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		go func() {
			<-ctx.Done()
			// The first signal asks for a clean stop (train ends its current step, saves and says so); restoring
			// the default handling lets a second one kill at once.
			stop()
		}()
	}
	err := cmd.run(ctx, os.Args[2:])
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return // the flag package has printed the command's flags
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "flows:", err)
		if errors.Is(err, context.Canceled) {
			os.Exit(130) // the shell's code for a run ended by Ctrl-C
		}
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: flows <command> [flags]   (flows <command> -h for its flags)\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  %-10s %s\n", n, commands[n].summary)
	}
}
