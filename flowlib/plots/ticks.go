package plots

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// readableTicks wraps a plot.Ticker so that no two adjacent labelled ticks print the same
// label: gonum's DefaultTicks picks the number of decimals from the tick spacing and, on a
// narrow range such as [1.2001, 1.2006], can label three ticks "1.2". When labels repeat, they
// are reprinted with the fewest decimals (or significant digits, for very large or small
// values) that tell every pair of neighbours apart.
type readableTicks struct{ plot.Ticker }

// Ticks implements plot.Ticker.
func (t readableTicks) Ticks(min, max float64) []plot.Tick {
	return distinctLabels(t.Ticker.Ticks(min, max))
}

func distinctLabels(ticks []plot.Tick) []plot.Tick {
	var labelled []int
	for i, tk := range ticks {
		if tk.Label != "" {
			labelled = append(labelled, i)
		}
	}
	if labelsDistinct(ticks, labelled) {
		return ticks
	}
	big := 0.0
	for _, i := range labelled {
		big = math.Max(big, math.Abs(ticks[i].Value))
	}
	useG := big >= 1e6 || big < 1e-4
	out := append([]plot.Tick(nil), ticks...)
	for prec := 0; prec <= 15; prec++ {
		for _, i := range labelled {
			out[i].Label = formatTick(out[i].Value, prec, useG)
		}
		if labelsDistinct(out, labelled) {
			return out
		}
	}
	return out
}

func labelsDistinct(ticks []plot.Tick, labelled []int) bool {
	for k := 1; k < len(labelled); k++ {
		if ticks[labelled[k]].Label == ticks[labelled[k-1]].Label {
			return false
		}
	}
	return true
}

// formatTick prints v with prec decimals (or prec+1 significant digits in 'g' format), without
// a "-0" for a value that rounds to zero.
func formatTick(v float64, prec int, useG bool) string {
	var s string
	if useG {
		s = strconv.FormatFloat(v, 'g', prec+1, 64)
	} else {
		s = strconv.FormatFloat(v, 'f', prec, 64)
	}
	if len(s) > 1 && s[0] == '-' {
		if z, err := strconv.ParseFloat(s, 64); err == nil && z == 0 {
			s = s[1:]
		}
	}
	return s
}
