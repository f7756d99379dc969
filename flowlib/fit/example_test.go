package fit_test

import (
	"fmt"

	"github.com/flowsgo/flows/flowlib/backend"
	"github.com/flowsgo/flows/flowlib/datasets"
	"github.com/flowsgo/flows/flowlib/fit"
	"github.com/flowsgo/flows/flowlib/flows"
)

// The README's first example, word for word (TestReadmeShowsExample): chapter 5's RealNVP trained with chapter 5's
// recipe on 2000 points of two moons. Its output differs in the second decimal between backends (float32 rounding,
// amplified by training), so TestExample checks the numbers it prints against chapter 5's promises.
func Example() {
	b, _, _ := backend.Choose() // XLA if a PJRT plugin is installed, else pure Go
	raw, _ := datasets.Moons(2000, 0.05, 1)
	std, _ := datasets.FitStandardizer(raw) // the flow models standardized data
	model, _ := flows.RealNVP(2).Layers(6).Hidden(64, 64).Model(b)
	recipe := fit.Options{Steps: 2000, LearningRate: 3e-3, WarmupSteps: 200, EMA: 0.995} // chapter 5's
	hist, _ := fit.Fit(model, std.Transform(raw), recipe)
	fmt.Printf("NLL %.2f → %.2f\n", hist.TrainNLL[0], hist.FinalTrainNLL) // from about 2.84 (the Gaussian) to ≤ 1.24

	top := [][]float64{{0, 1}} // the top of the upper moon, in data units
	logp, _ := model.LogProb(std.Transform(top))
	fmt.Printf("log p(0, 1) = %.2f, true %.2f\n", logp[0]+std.LogDet(), datasets.MoonsLogDensity(top, 0.05)[0])
	z, _ := model.Sample(1000, 42)
	xs := std.Inverse(z)                       // samples in data units
	moments, _ := datasets.FitStandardizer(xs) // their mean and standard deviation
	fmt.Printf("mean of samples %.2f, of data %.2f\n", moments.Mean, std.Mean)
}
