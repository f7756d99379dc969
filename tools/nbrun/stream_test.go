package main

import (
	"strings"
	"testing"
	"time"

	"github.com/flowsgo/flows/internal/nbformat"
)

// A cell that prints a line per training step can leave tens of thousands of stream outputs; joining
// them must take time linear in their size (it was quadratic: 50 000 fragments took minutes).
func TestMergeStreamsManyFragments(t *testing.T) {
	const n = 50_000
	outs := make([]nbformat.Output, 0, n+1)
	for i := range n {
		name := "stdout"
		if i == n/2 {
			outs = append(outs, nbformat.Output{OutputType: "stream", Name: "stderr", Text: "pan"})
			outs = append(outs, nbformat.Output{OutputType: "stream", Name: "stderr", Text: "ic: boom\n"})
		}
		outs = append(outs, nbformat.Output{OutputType: "stream", Name: name, Text: nbformat.MultiText(strings.Repeat("x", 200) + "\n")})
	}
	start := time.Now()
	merged := mergeStreams(outs)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("mergeStreams of %d fragments took %v", len(outs), d)
	}
	if len(merged) != 3 || merged[1].Text != "panic: boom\n" || len(merged[0].Text) != n/2*201 {
		t.Errorf("got %d merged outputs (want 3: stdout, stderr, stdout), stderr %q", len(merged), merged[1].Text)
	}
}
