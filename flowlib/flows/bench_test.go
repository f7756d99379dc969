package flows

import (
	"testing"

	"github.com/flowsgo/flows/flowlib/flowtest"
	"github.com/flowsgo/flows/flowlib/plots"
)

// BenchmarkSample100k times drawing 100,000 points (in chunks) from the chapter-5 RealNVP (6 layers, 64×2).
func BenchmarkSample100k(b *testing.B) {
	m := RealNVP(2).Layers(6).Hidden(64, 64).MustModel(flowtest.Backend(b))
	if _, err := m.Sample(10, 0); err != nil { // compile
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		if _, err := m.Sample(100_000, uint64(i)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLogProbGrid times the log-density on a 200×200 grid, the heatmaps' workload.
func BenchmarkLogProbGrid(b *testing.B) {
	m := RealNVP(2).Layers(6).Hidden(64, 64).MustModel(flowtest.Backend(b))
	grid := plots.Bounds{XMin: -3, XMax: 3, YMin: -3, YMax: 3}.GridPoints(200, 200)
	if _, err := m.LogProb(grid[:10]); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := m.LogProb(grid); err != nil {
			b.Fatal(err)
		}
	}
}
