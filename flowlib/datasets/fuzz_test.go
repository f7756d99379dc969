package datasets

import (
	"encoding/binary"
	"math"
	"slices"
	"strings"
	"testing"
)

// The fuzz targets run their seeds (f.Add and testdata/fuzz/FuzzXxx) as ordinary tests in go test;
// to search for new failures:
//
//	go test -run NONE -fuzz FuzzGenerators -fuzztime 2m -parallel 1 ./flowlib/datasets
//
// Every input that once failed is kept in testdata/fuzz/FuzzXxx as a regression seed.

// maxFuzzPoints bounds the n a fuzz run actually generates: larger valid n are skipped, not
// generated, so that one execution stays in the microseconds (n beyond MaxPoints is still checked
// to be refused).
const maxFuzzPoints = 4096

var fuzzGenerators = []struct {
	name string
	gen  func(n int, noise float64, seed uint64) ([][]float64, error)
	// usesNoise says whether the generator has a noise argument (the others ignore it).
	usesNoise bool
}{
	{"Moons", Moons, true},
	{"Circles", Circles, true},
	{"EightGaussians", func(n int, _ float64, seed uint64) ([][]float64, error) { return EightGaussians(n, seed) }, false},
	{"Pinwheel", func(n int, _ float64, seed uint64) ([][]float64, error) { return Pinwheel(n, seed) }, false},
	{"Checkerboard", func(n int, _ float64, seed uint64) ([][]float64, error) { return Checkerboard(n, seed) }, false},
	{"Spirals", func(n int, _ float64, seed uint64) ([][]float64, error) { return Spirals(n, seed) }, false},
}

// FuzzGenerators checks every generator on any (n, noise, seed): it either returns an error that
// names the function and the bad argument, or exactly n finite 2-D points, the same ones on a
// second call.
func FuzzGenerators(f *testing.F) {
	for i := range fuzzGenerators {
		w := uint8(i)
		f.Add(w, 100, 0.05, uint64(1))
		f.Add(w, 1, 0.0, uint64(0))
		f.Add(w, 0, 0.05, uint64(1))
		f.Add(w, -1, 0.05, uint64(1))
		f.Add(w, math.MinInt, 0.05, uint64(1))
		f.Add(w, math.MaxInt, 0.05, uint64(1))
		f.Add(w, 1<<40, 0.05, uint64(1))
		f.Add(w, MaxPoints+1, 0.05, uint64(1))
		f.Add(w, 7, math.NaN(), uint64(3))
		f.Add(w, 7, math.Inf(1), uint64(3))
		f.Add(w, 7, -0.1, uint64(3))
		f.Add(w, 7, 1e300, uint64(3))
		f.Add(w, 7, math.MaxFloat64, uint64(3))
		f.Add(w, 7, 5e-324, uint64(math.MaxUint64))
	}
	f.Fuzz(func(t *testing.T, which uint8, n int, noise float64, seed uint64) {
		g := fuzzGenerators[int(which)%len(fuzzGenerators)]
		x, err := g.gen(n, noise, seed)
		badNoise := g.usesNoise && !(noise >= 0 && noise <= MaxNoise)
		switch {
		case n <= 0 || n > MaxPoints:
			wantError(t, g.name, err, x, "n (number of points)")
			return
		case badNoise:
			wantError(t, g.name, err, x, "noise")
			return
		case err != nil:
			t.Fatalf("%s(n=%d, noise=%v, seed=%d): unexpected error %v", g.name, n, noise, seed, err)
		}
		if n > maxFuzzPoints {
			t.Skipf("n = %d: valid, but too many points to check in a fuzz execution", n)
		}
		if len(x) != n {
			t.Fatalf("%s(n=%d): got %d points", g.name, n, len(x))
		}
		if err := Validate(x, 2); err != nil {
			t.Fatalf("%s(n=%d, noise=%v, seed=%d): %v", g.name, n, noise, seed, err)
		}
		again, _ := g.gen(n, noise, seed)
		if !slices.EqualFunc(x, again, slices.Equal) {
			t.Fatalf("%s(n=%d, noise=%v, seed=%d): two calls gave different points", g.name, n, noise, seed)
		}
	})
}

// wantError fails unless err is set, x is nil, and the message names the function and mentions what.
func wantError(t *testing.T, fn string, err error, x [][]float64, what string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: want an error about %s, got %d points", fn, what, len(x))
	}
	if x != nil {
		t.Errorf("%s: got points along with the error %v", fn, err)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "datasets: "+fn+": ") || !strings.Contains(msg, what) {
		t.Errorf("%s: error %q does not start with %q and mention %q", fn, msg, "datasets: "+fn+": ", what)
	}
}

// pointsFromBytes decodes a fuzzer's bytes into rows of points:
//
//	b[0] % 5       columns per row (0…4)
//	b[1]           if < 255, the row that gets one column fewer (or one more, when it has none)
//	b[2] & 1       0: each value is 8 bytes of float64 bits (any value, NaN and ±Inf included)
//	               1: each value is one byte, int8·scale (few distinct values: constant columns,
//	                  repeated points, and huge or tiny scales)
//	rest           the values, row-major
func pointsFromBytes(b []byte, scale float64) [][]float64 {
	if len(b) < 3 {
		return nil
	}
	cols, ragged, small := int(b[0]%5), int(b[1]), b[2]&1 == 1
	b = b[3:]
	var vals []float64
	if small {
		for _, c := range b {
			vals = append(vals, float64(int8(c))*scale)
		}
	} else {
		for ; len(b) >= 8; b = b[8:] {
			vals = append(vals, math.Float64frombits(binary.LittleEndian.Uint64(b)))
		}
	}
	if cols == 0 {
		// Rows of no columns: as many as there are values, so the data is non-empty.
		return make([][]float64, min(len(vals), 3))
	}
	var x [][]float64
	for i := 0; len(vals) >= cols; i++ {
		w := cols
		if i == ragged {
			w = cols - 1
			if w == 0 {
				w = 2
			}
		}
		w = min(w, len(vals))
		x = append(x, vals[:w:w])
		vals = vals[w:]
	}
	return x
}

// encodePoints is the inverse of pointsFromBytes for a rectangular x with float64 values.
func encodePoints(x [][]float64) []byte {
	b := []byte{uint8(len(x[0])), 255, 0}
	for _, row := range x {
		for _, v := range row {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		}
	}
	return b
}

// FuzzStandardizer checks FitStandardizer on any data: it refuses empty, ragged, non-finite and
// constant data with an error that says so, and otherwise returns a Standardizer with finite
// moments and log-det whose Transform gives finite, standardized values and whose Inverse undoes
// Transform to rounding.
func FuzzStandardizer(f *testing.F) {
	f.Add(encodePoints([][]float64{{1, 2}, {3, 5}, {-1, 0.5}}), 1.0)
	f.Add(encodePoints([][]float64{{1, 2}}), 1.0)
	f.Add(encodePoints([][]float64{{1, 0.1}, {2, 0.1}, {3, 0.1}}), 1.0)
	f.Add(encodePoints([][]float64{{1, math.NaN()}, {2, 3}}), 1.0)
	f.Add(encodePoints([][]float64{{math.Inf(-1), 1}, {2, 3}}), 1.0)
	f.Add(encodePoints([][]float64{{1e308, -1e308}, {-1e308, 1e308}}), 1.0)
	f.Add(encodePoints([][]float64{{1e300}, {-1e300}, {1e300}}), 1.0)
	f.Add(encodePoints([][]float64{{5e-324}, {1e-323}}), 1.0)
	f.Add(encodePoints([][]float64{{1e15}, {1e15 + 1}}), 1.0)
	f.Add(encodePoints([][]float64{{1e17}, {1e17 + 16}}), 1.0)
	f.Add([]byte{2, 1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24}, 1.0)
	f.Add([]byte{2, 255, 1, 1, 2, 3, 4, 250, 6}, 1.0)
	f.Add([]byte{3, 255, 1, 1, 2, 3, 4, 5, 3, 200, 6, 3}, 1e306)
	f.Add([]byte{1, 255, 1, 1, 2, 1}, 1e-310)
	f.Add([]byte{1, 255, 1, 127, 129, 127}, 1.4e306) // x − mean overflowed in Transform
	f.Add([]byte{0, 255, 1, 1, 2}, 1.0)
	f.Add([]byte{}, 1.0)
	f.Fuzz(func(t *testing.T, b []byte, scale float64) {
		x := pointsFromBytes(b, scale)
		s, err := FitStandardizer(x)
		if err != nil {
			if s != nil {
				t.Errorf("got a Standardizer along with the error %v", err)
			}
			if !strings.HasPrefix(err.Error(), "datasets: FitStandardizer: ") {
				t.Errorf("error %q does not name FitStandardizer", err)
			}
			// Well-formed data may only be refused for its variance.
			if len(x) > 0 && len(x[0]) > 0 && Validate(x, len(x[0])) == nil && !strings.Contains(err.Error(), "variance") {
				t.Errorf("valid data refused: %v", err)
			}
			return
		}
		if Validate(x, len(x[0])) != nil {
			t.Fatalf("accepted invalid data: %v", Validate(x, len(x[0])))
		}
		d := len(x[0])
		if s.Dim() != d || len(s.Std) != d {
			t.Fatalf("Standardizer of dimension %d (%d stds) for data of dimension %d", s.Dim(), len(s.Std), d)
		}
		for j := range d {
			if !isFinite(s.Mean[j]) || !isFinite(s.Std[j]) || !(s.Std[j] > 0) {
				t.Fatalf("dimension %d: mean %v, std %v; want finite, std > 0", j, s.Mean[j], s.Std[j])
			}
		}
		if ld := s.LogDet(); !isFinite(ld) {
			t.Fatalf("LogDet() = %v for std %v", ld, s.Std)
		}
		z := s.Transform(x)
		back := s.Inverse(z)
		for j := range d {
			// The column's scale: rounding in (x − mean)/std and back is relative to it.
			var scaleJ float64
			for i := range x {
				scaleJ = math.Max(scaleJ, math.Abs(x[i][j]))
			}
			var sum, sum2 float64
			for i := range x {
				if !isFinite(z[i][j]) {
					t.Fatalf("Transform(x)[%d][%d] = %v for x = %v (mean %v, std %v)", i, j, z[i][j], x[i][j], s.Mean[j], s.Std[j])
				}
				sum += z[i][j]
				sum2 += z[i][j] * z[i][j]
				if diff := math.Abs(back[i][j] - x[i][j]); !(diff <= 1e-12*scaleJ) {
					t.Fatalf("Inverse(Transform(x))[%d][%d]: got %v, want %v (tol %g)", i, j, back[i][j], x[i][j], 1e-12*scaleJ)
				}
			}
			// Standardized: mean 0 and variance 1, to rounding relative to scale/std.
			n := float64(len(x))
			tol := 1e-9 * (1 + scaleJ/s.Std[j])
			mean := sum / n
			if !(math.Abs(mean) <= tol) || !(math.Abs(sum2/n-mean*mean-1) <= tol) {
				t.Fatalf("dimension %d: standardized mean %v, variance %v; want 0 and 1 (tol %g)", j, mean, sum2/n-mean*mean, tol)
			}
		}
	})
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// FuzzMoonsDensity checks the exact moons log-density at any point and noise: a valid noise gives
// a log-density that is never NaN and never above the largest possible value, log 1/(2πσ²); an
// invalid one panics with the documented message, and nothing else panics.
func FuzzMoonsDensity(f *testing.F) {
	f.Add(0.5, 0.25, 0.05)
	f.Add(1.0, 0.0, 0.05)
	f.Add(0.0, 0.0, 1e-3)
	f.Add(1e200, -1e200, 0.05)
	f.Add(1.0, 0.0, 1e-200) // on the outer arc, σ² underflows to 0
	f.Add(0.3, 0.1, 1e-160)
	f.Add(0.3, 0.1, 1e200) // σ² overflows to +Inf
	f.Add(0.3, 0.1, math.MaxFloat64)
	f.Add(0.3, 0.1, 0.0)
	f.Add(0.3, 0.1, math.NaN())
	f.Add(math.NaN(), 0.1, 0.05)
	f.Add(math.Inf(1), 0.1, 0.05)
	f.Fuzz(func(t *testing.T, x, y, noise float64) {
		validNoise := noise >= MinDensityNoise && noise <= MaxNoise
		var logp []float64
		func() {
			defer func() {
				r := recover()
				if r == nil {
					if !validNoise {
						t.Errorf("MoonsLogDensity(noise=%v) did not panic", noise)
					}
					return
				}
				msg, _ := r.(string)
				if validNoise || !strings.HasPrefix(msg, "datasets: MoonsLogDensity: noise must be a standard deviation in [MinDensityNoise, MaxNoise]") {
					t.Fatalf("MoonsLogDensity(%v, %v, noise=%v) panicked: %v", x, y, noise, r)
				}
			}()
			logp = MoonsLogDensity([][]float64{{x, y}}, noise)
		}()
		if !validNoise || !isFinite(x) || !isFinite(y) {
			return
		}
		max := -math.Log(2 * math.Pi * noise * noise)
		if lp := logp[0]; math.IsNaN(lp) || lp > max+1e-9*math.Abs(max) {
			t.Fatalf("MoonsLogDensity at (%v, %v), noise %v: got %v, want a number ≤ log 1/(2πσ²) = %v", x, y, noise, lp, max)
		}
	})
}

// FuzzMoonsEntropy checks MoonsEntropy on any (noise, samples, seed): an error naming the bad
// argument, or a finite entropy with a finite, non-negative standard error.
func FuzzMoonsEntropy(f *testing.F) {
	f.Add(0.05, 100, uint64(1))
	f.Add(0.05, 1, uint64(1))
	f.Add(0.05, -1, uint64(1))
	f.Add(0.05, math.MaxInt, uint64(1))
	f.Add(0.0, 100, uint64(1))
	f.Add(1e-200, 100, uint64(1))
	f.Add(1e200, 100, uint64(1))
	f.Add(math.Inf(1), 100, uint64(1))
	f.Fuzz(func(t *testing.T, noise float64, samples int, seed uint64) {
		if samples > 256 && samples <= MaxPoints {
			t.Skipf("samples = %d: valid, but slow for a fuzz execution", samples)
		}
		h, se, err := MoonsEntropy(noise, samples, seed)
		switch {
		case !(noise >= MinDensityNoise && noise <= MaxNoise):
			if err == nil || !strings.Contains(err.Error(), "datasets: MoonsEntropy: noise") {
				t.Fatalf("MoonsEntropy(noise=%v): got %v, %v, %v; want an error about noise", noise, h, se, err)
			}
		case samples < 2 || samples > MaxPoints:
			if err == nil || !strings.Contains(err.Error(), "samples") {
				t.Fatalf("MoonsEntropy(samples=%d): got %v, %v, %v; want an error about samples", samples, h, se, err)
			}
		case err != nil:
			t.Fatalf("MoonsEntropy(%v, %d, %d): %v", noise, samples, seed, err)
		case !isFinite(h) || !isFinite(se) || se < 0:
			t.Fatalf("MoonsEntropy(%v, %d, %d) = %v ± %v, want finite", noise, samples, seed, h, se)
		}
	})
}
