package fit_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/flowsgo/flows/flowlib/backend"
	"github.com/flowsgo/flows/flowlib/datasets"
	"github.com/flowsgo/flows/flowlib/fit"
	"github.com/flowsgo/flows/flowlib/flows"
	"github.com/gomlx/compute"
)

func setup(t *testing.T) (compute.Backend, [][]float64, [][]float64) {
	t.Helper()
	b, _, err := backend.Choose()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := datasets.Moons(2000, datasets.DefaultMoonsNoise, 1)
	if err != nil {
		t.Fatal(err)
	}
	std, err := datasets.FitStandardizer(raw)
	if err != nil {
		t.Fatal(err)
	}
	rawHeld, _ := datasets.Moons(2000, datasets.DefaultMoonsNoise, 2)
	return b, std.Transform(raw), std.Transform(rawHeld)
}

// TestTrainingLowersNLL: an untrained flow scores standardized data at exactly the Gaussian baseline 1 + log 2π,
// and 300 steps take a clear bite out of it.
func TestTrainingLowersNLL(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 300 steps")
	}
	b, train, held := setup(t)
	m := flows.RealNVP(2).Layers(4).Hidden(32, 32).MustModel(b)
	hist, err := fit.Fit(m, train, fit.Options{Steps: 300, HeldOut: train, EvalEvery: 300, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	baseline := datasets.GaussianBaselineNLL(2)
	if d := math.Abs(hist.HeldOutNLL[0] - baseline); d > 1e-4 {
		t.Errorf("step-0 NLL on the (self-standardized) training set: got %.5f, want %.5f (tol 1e-4)", hist.HeldOutNLL[0], baseline)
	}
	if d := math.Abs(hist.TrainNLL[0] - baseline); d > 0.25 {
		t.Errorf("first batch NLL: got %.4f, want %.4f (tol 0.25, batch noise)", hist.TrainNLL[0], baseline)
	}
	heldNLL, err := fit.MeanNLL(m, held)
	if err != nil {
		t.Fatal(err)
	}
	if heldNLL > 2.3 || hist.FinalTrainNLL > 2.3 {
		t.Errorf("after 300 steps: train NLL %.3f, held-out %.3f, want both < 2.3 (baseline %.3f)", hist.FinalTrainNLL, heldNLL, baseline)
	}
	if len(hist.TrainNLL) != 300 || hist.MsPerStep <= 0 {
		t.Errorf("history: %d train NLLs and %.2f ms/step, want 300 and > 0", len(hist.TrainNLL), hist.MsPerStep)
	}
}

func TestOptionsAndStream(t *testing.T) {
	b, train, _ := setup(t)
	m := flows.RealNVP(2).Layers(2).Hidden(8).MustModel(b)
	calls, seeds := 0, map[uint64]bool{}
	hist, err := fit.Fit(m, train, fit.Options{Steps: 5, BatchSize: 16, CosineDecay: true, ClipNorm: 1,
		Stream: func(n int, seed uint64) ([][]float64, error) {
			calls++
			seeds[seed] = true
			return train[:n], nil
		},
		OnStep: func(s fit.Step) error {
			if s.Steps != 5 || s.Step < 1 {
				t.Errorf("OnStep: got step %d of %d", s.Step, s.Steps)
			}
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 5 || len(seeds) != 5 || len(hist.TrainNLL) != 5 {
		t.Errorf("Stream called %d times with %d seeds, %d NLLs recorded; want 5, 5, 5", calls, len(seeds), len(hist.TrainNLL))
	}
	stop := errors.New("stop here")
	_, err = fit.Fit(m, train, fit.Options{Steps: 10, OnStep: func(s fit.Step) error {
		if s.Step == 2 {
			return stop
		}
		return nil
	}})
	if !errors.Is(err, stop) {
		t.Errorf("OnStep error: got %v, want it returned", err)
	}
}

func TestBadOptions(t *testing.T) {
	b, train, _ := setup(t)
	m := flows.RealNVP(2).Layers(2).Hidden(8).MustModel(b)
	cases := []struct {
		name string
		data [][]float64
		opts fit.Options
		want string
	}{
		{"zero steps", train, fit.Options{}, "Options.Steps = 0"},
		{"negative batch", train, fit.Options{Steps: 1, BatchSize: -4}, "Options.BatchSize = -4"},
		{"negative learning rate", train, fit.Options{Steps: 1, LearningRate: -1}, "Options.LearningRate = -1"},
		{"NaN learning rate", train, fit.Options{Steps: 1, LearningRate: math.NaN()}, "Options.LearningRate = NaN"},
		{"negative clip", train, fit.Options{Steps: 1, ClipNorm: -1}, "Options.ClipNorm"},
		{"empty data", nil, fit.Options{Steps: 1}, "no points"},
		{"wrong dimension", [][]float64{{1, 2, 3}}, fit.Options{Steps: 1}, "row 0 has 3 values, want 2"},
		{"non-finite data", [][]float64{{1, 2}, {math.Inf(1), 0}}, fit.Options{Steps: 1}, "row 1, column 0 is +Inf"},
		{"bad held-out", train, fit.Options{Steps: 1, HeldOut: [][]float64{{1}}}, "Options.HeldOut: row 0 has 1 values"},
	}
	for _, c := range cases {
		if _, err := fit.Fit(m, c.data, c.opts); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

// TestNonFiniteStepIsNotApplied: data that overflows float32 makes the loss infinite at step 1; Fit must stop with
// an error naming the step and leave the parameters as they were.
func TestNonFiniteStepIsNotApplied(t *testing.T) {
	b, train, _ := setup(t)
	m := flows.RealNVP(2).Layers(2).Hidden(8).MustModel(b)
	if _, err := fit.Fit(m, train, fit.Options{Steps: 3, BatchSize: 8}); err != nil {
		t.Fatal(err)
	}
	probe := [][]float64{{0.5, -0.5}}
	before, _ := m.LogProb(probe)
	huge := [][]float64{{1e30, 1e30}, {-1e30, 1e30}}
	_, err := fit.Fit(m, huge, fit.Options{Steps: 5, BatchSize: 2})
	if err == nil || !strings.Contains(err.Error(), "step 1") || !strings.Contains(err.Error(), "not finite") {
		t.Fatalf("got error %v, want one naming step 1 and a non-finite loss", err)
	}
	after, _ := m.LogProb(probe)
	if before[0] != after[0] {
		t.Errorf("parameters changed by a rejected step: log p before %v, after %v", before[0], after[0])
	}
}

// TestEMA: weight averaging leaves training alone (the batch NLLs, computed with the trained weights, are the same
// as without it), scores the held-out points with the average, and leaves the average in the model.
func TestEMA(t *testing.T) {
	b, train, held := setup(t)
	run := func(ema float64) ([]float64, *fit.History, float64) {
		m := flows.RealNVP(2).Layers(2).Hidden(16).MustModel(b)
		hist, err := fit.Fit(m, train, fit.Options{Steps: 30, BatchSize: 64, LearningRate: 1e-2, HeldOut: held,
			EvalEvery: 10, Seed: 1, EMA: ema, WarmupSteps: 5, AdamEpsilon: 1e-8})
		if err != nil {
			t.Fatal(err)
		}
		after, err := fit.MeanNLL(m, held)
		if err != nil {
			t.Fatal(err)
		}
		return hist.TrainNLL, hist, after
	}
	plain, plainHist, _ := run(0)
	avg, avgHist, after := run(0.9)
	for i := range plain {
		if math.Abs(plain[i]-avg[i]) > 1e-6 {
			t.Fatalf("step %d: batch NLL %v with EMA, %v without (tol 1e-6): averaging must not change training", i+1,
				avg[i], plain[i])
		}
	}
	last := avgHist.HeldOutNLL[len(avgHist.HeldOutNLL)-1]
	if math.Abs(after-last) > 1e-6 || math.Abs(avgHist.FinalHeldOutNLL-last) > 1e-6 {
		t.Errorf("the model after Fit scores %v on the held-out points, the history %v (tol 1e-6): Fit must leave the "+
			"average in the model", after, last)
	}
	if d := math.Abs(last - plainHist.FinalHeldOutNLL); d < 1e-4 {
		t.Errorf("held-out NLL %v with EMA 0.9, %v without: the average should differ from the last weights", last,
			plainHist.FinalHeldOutNLL)
	}
	if avgHist.HeldOutNLL[0] != plainHist.HeldOutNLL[0] {
		t.Errorf("step 0: held-out %v with EMA, %v without: both are the initial weights", avgHist.HeldOutNLL[0],
			plainHist.HeldOutNLL[0])
	}
}

func TestBadScheduleOptions(t *testing.T) {
	b, train, _ := setup(t)
	m := flows.RealNVP(2).Layers(1).Hidden(4).MustModel(b)
	for _, c := range []struct {
		opts fit.Options
		want string
	}{
		{fit.Options{Steps: 1, EMA: 1}, "Options.EMA = 1"},
		{fit.Options{Steps: 1, EMA: math.NaN()}, "Options.EMA = NaN"},
		{fit.Options{Steps: 1, WarmupSteps: -1}, "Options.WarmupSteps = -1"},
		{fit.Options{Steps: 1, AdamEpsilon: -1}, "Options.AdamEpsilon = -1"},
	} {
		if _, err := fit.Fit(m, train, c.opts); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got error %v, want one containing %q", c.opts, err, c.want)
		}
	}
}
