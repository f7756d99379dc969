package fit_test

import (
	"testing"

	"github.com/flowsgo/flows/flowlib/backend"
	"github.com/flowsgo/flows/flowlib/datasets"
	"github.com/flowsgo/flows/flowlib/fit"
	"github.com/flowsgo/flows/flowlib/flows"
)

// BenchmarkTrainStep times one training step of the chapter-5 model: RealNVP, 6 coupling layers, 2 hidden layers
// of 64, batch 256, Adam. Run: go test -run NONE -bench TrainStep ./flowlib/fit/
func BenchmarkTrainStep(b *testing.B) {
	bk, _, err := backend.Choose()
	if err != nil {
		b.Fatal(err)
	}
	train, err := datasets.Moons(2048, datasets.DefaultMoonsNoise, 1)
	if err != nil {
		b.Fatal(err)
	}
	m := flows.RealNVP(2).Layers(6).Hidden(64, 64).MustModel(bk)
	if _, err := fit.Fit(m, train, fit.Options{Steps: 20}); err != nil { // compile and warm up
		b.Fatal(err)
	}
	b.ResetTimer()
	hist, err := fit.Fit(m, train, fit.Options{Steps: b.N, EvalEvery: b.N + 1})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(hist.MsPerStep, "ms/step")
}

// BenchmarkMoons2000 is the headline run: RealNVP (6 layers, 64×2) on standardized two moons, 2000 steps of batch
// 256 on fresh points, Adam 1e-3. It reports the NLLs as metrics. One iteration takes about a
// minute on two cores: go test -run NONE -bench Moons2000 -benchtime 1x ./flowlib/fit/
func BenchmarkMoons2000(b *testing.B) {
	bk, _, err := backend.Choose()
	if err != nil {
		b.Fatal(err)
	}
	raw, _ := datasets.Moons(2000, datasets.DefaultMoonsNoise, 1)
	std, _ := datasets.FitStandardizer(raw)
	rawHeld, _ := datasets.Moons(5000, datasets.DefaultMoonsNoise, 2)
	train, held := std.Transform(raw), std.Transform(rawHeld)
	for range b.N {
		m := flows.RealNVP(2).Layers(6).Hidden(64, 64).MustModel(bk)
		hist, err := fit.Fit(m, train, fit.Options{Steps: 2000, HeldOut: held, EvalEvery: 2000,
			Stream: func(n int, seed uint64) ([][]float64, error) {
				x, err := datasets.Moons(n, datasets.DefaultMoonsNoise, seed+1000)
				return std.Transform(x), err
			}})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(hist.HeldOutNLL[0], "step0-NLL")
		b.ReportMetric(hist.FinalTrainNLL, "train-NLL")
		b.ReportMetric(hist.FinalHeldOutNLL, "heldout-NLL")
		b.ReportMetric(hist.MsPerStep, "ms/step")
	}
}
