package fit_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/flowsgo/flows/flowlib"
	"github.com/flowsgo/flows/flowlib/fit"
	"github.com/flowsgo/flows/flowlib/flows"
	"github.com/gomlx/gomlx/core/tensors"
)

// params copies the flow's variables, by name.
func params(t *testing.T, m *flowlib.Model) map[string][]float32 {
	t.Helper()
	out := map[string][]float32{}
	for v := range m.Store.IterVariables() {
		if !m.Owns(v) {
			continue
		}
		val, err := v.Value()
		if err != nil {
			t.Fatal(err)
		}
		if out[v.Path()], err = tensors.CopyFlatData[float32](val); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func sameParams(t *testing.T, what string, got, want map[string][]float32, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d variables, want %d", what, len(got), len(want))
	}
	for name, w := range want {
		for i := range w {
			if d := math.Abs(float64(got[name][i] - w[i])); !(d <= tol) {
				t.Fatalf("%s: %s[%d] = %v, want %v (tol %g)", what, name, i, got[name][i], w[i], tol)
			}
		}
	}
}

// TestCancel: a cancel during training stops Fit before the next step, with an error wrapping context.Canceled,
// the history of the completed steps, and the model exactly as after the last completed step — the same
// parameters as a run asked for that many steps.
func TestCancel(t *testing.T) {
	b, train, held := setup(t)
	spec := flows.RealNVP(2).Layers(2).Hidden(8)
	const stopAt = 5

	m := spec.MustModel(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var atStop map[string][]float32
	hist, err := fit.Fit(m, train, fit.Options{Steps: 1000, Seed: 3, LearningRate: 1e-2, HeldOut: held, EvalEvery: 2,
		Context: ctx, OnStep: func(s fit.Step) error {
			if s.Step == stopAt {
				atStop = params(t, m)
				cancel() // as Ctrl-C would, while step stopAt+1 is not yet started
			}
			return nil
		}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Fit cancelled at step %d: got error %v, want one wrapping context.Canceled", stopAt, err)
	}
	if want := "stopped before step 6 of 1000; the model keeps the parameters after step 5"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
	if hist == nil || len(hist.TrainNLL) != stopAt || hist.EvalSteps[len(hist.EvalSteps)-1] != 4 {
		t.Fatalf("history after a cancel at step %d: %+v, want %d training NLLs and held-out scores up to step 4", stopAt, hist, stopAt)
	}
	sameParams(t, "model after the cancel vs at step 5", params(t, m), atStop, 0)

	ref := spec.MustModel(b)
	if _, err := fit.Fit(ref, train, fit.Options{Steps: stopAt, Seed: 3, LearningRate: 1e-2}); err != nil {
		t.Fatal(err)
	}
	// the same computations on the same backend: float32 rounding at most
	sameParams(t, "cancelled run vs a 5-step run", params(t, m), params(t, ref), 1e-6)

	// Already cancelled: no step at all, the model untouched, the error says so.
	fresh := spec.MustModel(b)
	if err := fresh.Init(); err != nil {
		t.Fatal(err)
	}
	before := params(t, fresh)
	hist, err = fit.Fit(fresh, train, fit.Options{Steps: 10, Context: ctx})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "stopped before step 1 of 10") {
		t.Errorf("Fit with a cancelled context: got %v", err)
	}
	if hist == nil || len(hist.TrainNLL) != 0 {
		t.Errorf("Fit with a cancelled context: history %+v, want no steps", hist)
	}
	sameParams(t, "model after a Fit that was cancelled before it began", params(t, fresh), before, 0)

	// A deadline is a cancel too, and its error says which.
	dctx, dcancel := context.WithTimeout(context.Background(), 0)
	defer dcancel()
	if _, err := fit.Fit(spec.MustModel(b), train, fit.Options{Steps: 10, Context: dctx}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Fit past its deadline: got %v, want one wrapping context.DeadlineExceeded", err)
	}
}
