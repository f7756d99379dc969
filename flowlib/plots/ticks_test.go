package plots

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/plot"
)

// TestTickLabelsDistinct checks that no two adjacent labelled ticks print the same label, over
// ranges of many widths and offsets, including ones where gonum's DefaultTicks repeats labels.
func TestTickLabelsDistinct(t *testing.T) {
	labels := func(ticks []plot.Tick) []string {
		var out []string
		for _, tk := range ticks {
			if tk.Label != "" {
				out = append(out, tk.Label)
			}
		}
		return out
	}
	repeats := func(ls []string) bool {
		for i := 1; i < len(ls); i++ {
			if ls[i] == ls[i-1] {
				return true
			}
		}
		return false
	}
	// The case of the issue: gonum alone prints "1.2" several times here.
	if ls := labels(plot.DefaultTicks{}.Ticks(1.2001, 1.2006)); !repeats(ls) {
		t.Logf("note: DefaultTicks no longer repeats labels on [1.2001, 1.2006]: %q", ls)
	}
	r := rand.New(rand.NewPCG(3, 4))
	ranges := [][2]float64{{1.2001, 1.2006}, {1.5, 1.6}, {1.54, 1.60}, {-1e-9, 1e-9}, {1e7, 1e7 + 3}, {0.1, 0.1000001}, {-3.5, 3.5}}
	for range 2000 {
		lo := (r.Float64()*2 - 1) * math.Pow(10, float64(r.IntN(14)-6))
		w := math.Pow(10, r.Float64()*12-8) * (1 + math.Abs(lo))
		ranges = append(ranges, [2]float64{lo, lo + w})
	}
	gonumRepeats := 0
	for _, rg := range ranges {
		if repeats(labels(plot.DefaultTicks{}.Ticks(rg[0], rg[1]))) {
			gonumRepeats++
		}
		ls := labels(readableTicks{plot.DefaultTicks{}}.Ticks(rg[0], rg[1]))
		if repeats(ls) {
			t.Errorf("range [%g, %g]: labels %q repeat", rg[0], rg[1], ls)
		}
		for _, l := range ls {
			if l == "-0" || l == "-0.0" || l == "-0.00" {
				t.Errorf("range [%g, %g]: label %q", rg[0], rg[1], l)
			}
		}
	}
	t.Logf("DefaultTicks alone repeats labels on %d of %d ranges", gonumRepeats, len(ranges))
}
