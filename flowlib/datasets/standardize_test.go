package datasets

import (
	"fmt"
	"math"
	"testing"
)

// correlated3D returns n points in 3-D with very different scales and offsets.
func correlated3D(n int, seed uint64) [][]float64 {
	rng := NewRand(seed)
	x := make([][]float64, n)
	for i := range x {
		a, b, c := rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()
		x[i] = []float64{100 + 0.01*a, -3 + 5*b + a, 2*c - b}
	}
	return x
}

func TestStandardizerRoundTrip(t *testing.T) {
	x := correlated3D(1000, 1)
	s, err := FitStandardizer(x)
	if err != nil {
		t.Fatal(err)
	}
	z := s.Transform(x)
	mean, std := sampleMoments(z)
	for d := range 3 {
		assertClose(t, fmt.Sprintf("standardized mean[%d]", d), mean[d], 0, 1e-9)
		assertClose(t, fmt.Sprintf("standardized std[%d]", d), std[d], 1, 1e-9)
	}
	back := s.Inverse(z)
	for i := range x {
		for d := range 3 {
			assertClose(t, fmt.Sprintf("Inverse(Transform(x))[%d][%d]", i, d), back[i][d], x[i][d], 1e-9*math.Max(1, math.Abs(x[i][d])))
		}
	}
	if &z[0][0] == &x[0][0] || &back[0][0] == &z[0][0] {
		t.Errorf("Transform/Inverse must return new slices")
	}
}

// bruteLogAbsDet returns log|det A| by Gaussian elimination with partial pivoting.
func bruteLogAbsDet(a [][]float64) float64 {
	n := len(a)
	m := make([][]float64, n)
	for i := range a {
		m[i] = append([]float64(nil), a[i]...)
	}
	var logDet float64
	for c := range n {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[p][c]) {
				p = r
			}
		}
		m[c], m[p] = m[p], m[c]
		logDet += math.Log(math.Abs(m[c][c]))
		for r := c + 1; r < n; r++ {
			f := m[r][c] / m[c][c]
			for k := c; k < n; k++ {
				m[r][k] -= f * m[c][k]
			}
		}
	}
	return logDet
}

func TestStandardizerLogDet(t *testing.T) {
	x := correlated3D(500, 2)
	s, err := FitStandardizer(x)
	if err != nil {
		t.Fatal(err)
	}
	// Jacobian of Transform by central differences (exact up to rounding: T is affine).
	const h = 1e-3
	x0 := []float64{100, 1, -2}
	jac := make([][]float64, 3)
	for i := range jac {
		jac[i] = make([]float64, 3)
	}
	for j := range 3 {
		plus, minus := append([]float64(nil), x0...), append([]float64(nil), x0...)
		plus[j] += h
		minus[j] -= h
		zp, zm := s.Transform([][]float64{plus}), s.Transform([][]float64{minus})
		for i := range 3 {
			jac[i][j] = (zp[0][i] - zm[0][i]) / (2 * h)
		}
	}
	assertClose(t, "LogDet vs log|det J|", s.LogDet(), bruteLogAbsDet(jac), 1e-6)

	// The documented relation log p_raw(x) = log p_std(T(x)) + LogDet(), checked
	// on a Gaussian whose standardized density is N(0, I).
	g := &Standardizer{Mean: []float64{1, -2}, Std: []float64{0.5, 3}}
	pt := []float64{1.7, 0.4}
	var logRaw float64
	for d := range 2 {
		u := (pt[d] - g.Mean[d]) / g.Std[d]
		logRaw += -0.5*math.Log(2*math.Pi) - math.Log(g.Std[d]) - 0.5*u*u
	}
	z := g.Transform([][]float64{pt})[0]
	logStd := -math.Log(2*math.Pi) - 0.5*(z[0]*z[0]+z[1]*z[1])
	assertClose(t, "log p_raw − (log p_std + LogDet)", logRaw-(logStd+g.LogDet()), 0, 1e-12)
}

func TestMoonsStandardizer(t *testing.T) {
	// Population moments agree with a fitted standardizer on a large sample.
	s := MoonsStandardizer(0.05)
	f, err := FitStandardizer(MustMoons(100000, 0.05, 8))
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "LogDet population vs fitted", s.LogDet(), f.LogDet(), 0.01)
	assertClose(t, "population LogDet at σ=0.05", s.LogDet(), -math.Log(0.8675)-math.Log(0.4967), 2e-4)
}

func TestFitStandardizerBadInput(t *testing.T) {
	for _, tc := range []struct {
		name  string
		x     [][]float64
		parts []string
	}{
		{"nil", nil, []string{"FitStandardizer", "empty data"}},
		{"no rows", [][]float64{}, []string{"FitStandardizer", "empty data"}},
		{"no columns", [][]float64{{}, {}}, []string{"FitStandardizer", "row 0 has 0 columns, want at least 1"}},
		{"ragged", [][]float64{{1, 2}, {3, 4}, {5}}, []string{"FitStandardizer", "row 2 has 1 columns, want 2"}},
		{"NaN", [][]float64{{1, 2}, {3, math.NaN()}}, []string{"FitStandardizer", "non-finite", "row 1, column 1"}},
		{"Inf", [][]float64{{math.Inf(-1), 2}, {3, 4}}, []string{"FitStandardizer", "non-finite", "row 0, column 0"}},
		{"constant column", [][]float64{{1, 0.1}, {2, 0.1}, {3, 0.1}}, []string{"FitStandardizer", "dimension 1 has zero variance"}},
		{"one row", [][]float64{{1, 2}}, []string{"FitStandardizer", "dimension 0 has zero variance"}},
		{"std tiny next to the mean", [][]float64{{1e15, 1}, {1e15 + 0.5, 2}}, []string{"FitStandardizer", "dimension 0 has zero variance", "1e-12·|mean|"}},
		// Found by FuzzStandardizer: subnormal values standardize to a few bits only.
		{"subnormal std", [][]float64{{2.668097653e-315, 1}, {3.994345017e-315, 2}}, []string{"FitStandardizer", "dimension 0 has zero variance", "std ≥ 2.23e-308"}},
	} {
		s, err := FitStandardizer(tc.x)
		if s != nil {
			t.Errorf("%s: got a Standardizer with the error", tc.name)
		}
		assertErrorContains(t, tc.name, err, tc.parts...)
	}
}

// Finite data near ±MaxFloat64 (found by FuzzStandardizer: its sums overflowed to a std of +Inf).
func TestStandardizerHugeValues(t *testing.T) {
	x := [][]float64{{1.7e308, 1e300}, {-1.7e308, -1e300}, {1.7e308, 1e300}}
	s, err := FitStandardizer(x)
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "mean[0]", s.Mean[0], 1.7e308/3, 1e-15*1.7e308)
	assertClose(t, "std[0]", s.Std[0], 1.7e308*math.Sqrt(8.0/9), 1e-15*1.7e308)
	assertClose(t, "LogDet", s.LogDet(), -math.Log(1.7e308*math.Sqrt(8.0/9))-math.Log(1e300*math.Sqrt(8.0/9)), 1e-9)
	z := s.Transform(x)
	back := s.Inverse(z)
	for i := range x {
		for j := range 2 {
			if math.IsInf(z[i][j], 0) || math.IsNaN(z[i][j]) {
				t.Fatalf("Transform(x)[%d][%d] = %v", i, j, z[i][j])
			}
			assertClose(t, fmt.Sprintf("Inverse(Transform(x))[%d][%d]", i, j), back[i][j], x[i][j], 1e-15*math.Abs(x[i][j]))
		}
	}
}

func TestStandardizerPanics(t *testing.T) {
	s := &Standardizer{Mean: []float64{0, 0}, Std: []float64{1, 1}}
	assertPanics(t, "Transform 3 columns", func() { s.Transform([][]float64{{1, 2}, {1, 2, 3}}) },
		"Standardizer.Transform", "row 1 has 3 columns, want 2")
	assertPanics(t, "Inverse 1 column", func() { s.Inverse([][]float64{{1}}) },
		"Standardizer.Inverse", "row 0 has 1 columns, want 2")
}

func TestValidate(t *testing.T) {
	if err := Validate([][]float64{{1, 2}, {3, 4}}, 2); err != nil {
		t.Errorf("valid data: %v", err)
	}
	for _, tc := range []struct {
		name  string
		x     [][]float64
		dim   int
		parts []string
	}{
		{"dim 0", [][]float64{{1}}, 0, []string{"dim must be positive, got 0"}},
		{"empty", nil, 2, []string{"empty data (0 rows)"}},
		{"wrong dim", [][]float64{{1, 2}, {3, 4}}, 3, []string{"row 0 has 2 columns, want 3"}},
		{"ragged", [][]float64{{1, 2}, {3, 4}, {5, 6, 7}}, 2, []string{"row 2 has 3 columns, want 2"}},
		{"NaN", [][]float64{{1, 2}, {3, 4}, {5, math.NaN()}}, 2, []string{"x[2][1] = NaN", "row 2, column 1"}},
		{"+Inf", [][]float64{{math.Inf(1), 2}}, 2, []string{"x[0][0] = +Inf", "row 0, column 0"}},
	} {
		assertErrorContains(t, tc.name, Validate(tc.x, tc.dim), append([]string{"datasets: Validate"}, tc.parts...)...)
	}
}
