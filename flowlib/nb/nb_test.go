package nb

import (
	"errors"
	"math"
	"testing"
)

func TestLinspace(t *testing.T) {
	xs := Linspace(-1, 2, 4)
	want := []float64{-1, 0, 1, 2}
	for i := range want {
		if math.Abs(xs[i]-want[i]) > 1e-15 {
			t.Fatalf("Linspace(-1, 2, 4) = %v, want %v", xs, want)
		}
	}
	if got := Linspace(0, 0.3, 7)[6]; got != 0.3 {
		t.Errorf("last value: got %v, want exactly 0.3", got)
	}
}

func TestColumnFirstsRoundTrip(t *testing.T) {
	xs := []float64{3, -1, 0.5}
	rows := Column(xs)
	if len(rows) != 3 || len(rows[1]) != 1 || rows[1][0] != -1 {
		t.Fatalf("Column(%v) = %v", xs, rows)
	}
	back := Firsts(rows)
	for i := range xs {
		if back[i] != xs[i] {
			t.Fatalf("Firsts(Column(%v)) = %v", xs, back)
		}
	}
}

// The standard normal density integrates to 1 and its running integral is the CDF.
func TestPhiIntegratesToNormalCDF(t *testing.T) {
	zs := Linspace(-9, 2, 20001)
	ys := make([]float64, len(zs))
	for i, z := range zs {
		ys[i] = Phi(z)
	}
	c := CumTrapezoid(zs, ys)
	for _, i := range []int{5000, 15000, 20000} {
		if d := math.Abs(c[i] - NormalCDF(zs[i])); d > 1e-7 {
			t.Errorf("∫φ up to %.3f: got %.9f, want Φ = %.9f (tol 1e-7)", zs[i], c[i], NormalCDF(zs[i]))
		}
	}
	if got := Trapezoid(Linspace(-9, 9, 4001), Exp(make([]float64, 4001))); math.Abs(got-18) > 1e-12 {
		t.Errorf("Trapezoid of exp(0) over [-9, 9]: got %v, want 18", got)
	}
}

func TestInterp(t *testing.T) {
	xs, ys := []float64{0, 1, 3}, []float64{0, 10, 30}
	for _, c := range []struct{ x, want float64 }{{-1, 0}, {0, 0}, {0.25, 2.5}, {2, 20}, {3, 30}, {5, 30}} {
		if got := Interp(xs, ys, c.x); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("Interp at %v: got %v, want %v", c.x, got, c.want)
		}
	}
}

func TestNormalMoments(t *testing.T) {
	pts := Normal(200_000, 2, 3)
	var m, v [2]float64
	for _, p := range pts {
		for j := range 2 {
			m[j] += p[j]
			v[j] += p[j] * p[j]
		}
	}
	for j := range 2 {
		mean, second := m[j]/2e5, v[j]/2e5
		if math.Abs(mean) > 0.01 || math.Abs(second-1) > 0.02 {
			t.Errorf("coordinate %d: mean %.4f (want 0 ± 0.01), E[x²] %.4f (want 1 ± 0.02)", j, mean, second)
		}
	}
	if a, b := Normal(3, 2, 9), Normal(3, 2, 9); a[2][1] != b[2][1] {
		t.Error("Normal is not reproducible for the same seed")
	}
}

func TestMust(t *testing.T) {
	if got := Must(4, nil); got != 4 {
		t.Errorf("Must(4, nil) = %v", got)
	}
	defer func() {
		if r := recover(); r == nil {
			t.Error("Must with an error did not panic")
		}
	}()
	Must(0, errors.New("boom"))
}

func TestPanicsNameTheArgument(t *testing.T) {
	for name, f := range map[string]func(){
		"Linspace":     func() { Linspace(0, 1, 1) },
		"Interp":       func() { Interp([]float64{1}, nil, 0) },
		"CumTrapezoid": func() { CumTrapezoid([]float64{1, 2}, []float64{1}) },
		"Normal":       func() { Normal(2, 0, 1) },
		"ArgMax":       func() { ArgMax(nil) },
		"LogLogSlope":  func() { LogLogSlope([]float64{1, 2}, []float64{1, -1}) },
	} {
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("%s: bad input did not panic", name)
				}
			}()
			f()
		}()
	}
}

func TestMapArgMax(t *testing.T) {
	xs := Linspace(0, math.Pi, 101)
	ys := Map(xs, math.Sin)
	if i := ArgMax(ys); i != 50 {
		t.Errorf("ArgMax(sin on [0, π]) = %d, want 50 (x = π/2)", i)
	}
	if i := ArgMax([]float64{1, 3, 3, 2}); i != 1 {
		t.Errorf("ArgMax with a tie: got %d, want the first, 1", i)
	}
}

func TestLogLogSlope(t *testing.T) {
	xs := []float64{2, 4, 8, 16}
	ys := Map(xs, func(x float64) float64 { return 5 * math.Pow(x, 1.6) })
	if got := LogLogSlope(xs, ys); math.Abs(got-1.6) > 1e-12 {
		t.Errorf("slope of 5·x^1.6: got %v, want 1.6 (tol 1e-12)", got)
	}
	// Noise around a cube law: the fit is the average trend, not the last pair.
	ys = []float64{8 * 1.1, 64 * 0.9, 512 * 1.1, 4096 * 0.9}
	if got := LogLogSlope(xs, ys); math.Abs(got-3) > 0.1 {
		t.Errorf("slope of a noisy cube law: got %v, want 3 (tol 0.1)", got)
	}
}

func TestMust2(t *testing.T) {
	if a, b := Must2(1, "x", nil); a != 1 || b != "x" {
		t.Errorf("Must2(1, \"x\", nil) = %v, %v", a, b)
	}
	defer func() {
		if recover() == nil {
			t.Error("Must2 with an error did not panic")
		}
	}()
	Must2(0, 0, errors.New("boom"))
}
