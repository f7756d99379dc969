package flowlib_test

import (
	"math"
	"strings"
	"testing"

	"github.com/flowsgo/flows/flowlib"
)

// TestLogProbHugeInput pins down LogProb far from the data. The log-density of a finite point whose density is
// below float32's smallest number is −Inf, returned without an error (the honest answer at this precision); a
// value beyond float32 range is refused, since it would enter the graph as ±Inf.
func TestLogProbHugeInput(t *testing.T) {
	m := loadFuzzModel(t)
	for _, v := range []float64{1e20, 1e30, -1e30, 1e38, math.MaxFloat32} {
		lp, err := m.LogProb([][]float64{{v, 0}, {0, v}, {0, 0}})
		if err != nil {
			// the only error allowed here is an overflow inside the flow, named as such
			if !strings.Contains(err.Error(), "gives log p") {
				t.Errorf("LogProb(%g): unexpected error %v", v, err)
			}
			continue
		}
		if !math.IsInf(lp[0], -1) || !math.IsInf(lp[1], -1) {
			t.Errorf("LogProb(%g) = %v, want −Inf for both far points", v, lp[:2])
		}
		if math.IsInf(lp[2], 0) || math.IsNaN(lp[2]) {
			t.Errorf("LogProb(0, 0) = %v beside far points, want finite", lp[2])
		}
	}
	for _, v := range []float64{3.5e38, -1e300, math.MaxFloat64} {
		_, err := m.LogProb([][]float64{{0, 0}, {0, v}})
		if err == nil || !strings.Contains(err.Error(), "flowlib.Model.LogProb: x: row 1, column 1 is") ||
			!strings.Contains(err.Error(), "float32 range") {
			t.Errorf("LogProb(%g): got error %v, want one naming x, row 1, column 1 and float32 range", v, err)
		}
	}
	if _, err := m.Sample(flowlib.MaxSampleValues, 1); err == nil || !strings.Contains(err.Error(), "n must be ≥ 1 and at most") {
		t.Errorf("Sample(MaxSampleValues) on a 2-D flow: got %v", err)
	}
}
