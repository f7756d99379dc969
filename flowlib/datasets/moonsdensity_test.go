package datasets

import (
	"fmt"
	"math"
	"testing"
)

// bruteLogArc is logArc computed the plain way: squared distances from the
// coordinates, every one of `panels` equal panels of [0, π] integrated with a
// 16-point Gauss–Legendre rule, log-sum-exp over all nodes. No window, no polar
// identities: slow, simple and obviously right. (A uniform trapezoid rule is
// not: at σ = 0.02 its O(h²) error at a moon's tip exceeds 1e-5 even with 4·10⁵
// nodes.)
func bruteLogArc(x, y, sigma float64, panels int) float64 {
	gx, gw := gaussLegendre(16)
	half := math.Pi / float64(2*panels)
	var logs, weights []float64
	m := math.Inf(-1)
	for p := range panels {
		mid := (2*float64(p) + 1) * half
		for k := range gx {
			t := mid + half*gx[k]
			dx, dy := x-math.Cos(t), y-math.Sin(t)
			l := -(dx*dx + dy*dy) / (2 * sigma * sigma)
			logs, weights = append(logs, l), append(weights, gw[k]*half)
			m = math.Max(m, l)
		}
	}
	var sum float64
	for i, l := range logs {
		sum += weights[i] * math.Exp(l-m)
	}
	return m + math.Log(sum) - math.Log(2*math.Pi*sigma*sigma) - math.Log(math.Pi)
}

func TestLogArcAgainstBruteForce(t *testing.T) {
	points := [][2]float64{
		{0, 0}, {1, 0}, {-1, 0}, {0, 1}, {0.7, 0.7}, {0.5, 0.1}, {1.03, -0.02}, {-0.98, -0.05},
		{0.2, -1.3}, {-0.001, -1}, {0, -1}, {3, 2}, {-4, -3}, {0.5, 0.25}, {1e-9, 0}, {0.99, 0.2},
	}
	for _, sigma := range []float64{0.02, 0.05, 0.1, 0.5, 2} {
		for _, p := range points {
			got := logArc(p[0], p[1], sigma)
			want := bruteLogArc(p[0], p[1], sigma, 5000)
			assertClose(t, fmt.Sprintf("logArc(%v, σ=%v)", p, sigma), got, want, 1e-9*math.Max(1, math.Abs(want)))
		}
	}
}

func TestMoonsLogDensityIntegratesToOne(t *testing.T) {
	for _, tc := range []struct{ sigma, h float64 }{{0.05, 0.01}, {0.1, 0.02}, {0.3, 0.04}} {
		// The moons lie in [−1, 2] × [−½, 1]; 10σ beyond that the density is < e⁻⁵⁰.
		pad := 10 * tc.sigma
		x0, x1, y0, y1 := -1-pad, 2+pad, -0.5-pad, 1+pad
		var grid [][]float64
		for x := x0 + tc.h/2; x < x1; x += tc.h {
			for y := y0 + tc.h/2; y < y1; y += tc.h {
				grid = append(grid, []float64{x, y})
			}
		}
		var total float64
		for _, lp := range MoonsLogDensity(grid, tc.sigma) {
			total += math.Exp(lp) * tc.h * tc.h
		}
		assertClose(t, fmt.Sprintf("∫p over the grid, σ=%v, h=%v", tc.sigma, tc.h), total, 1, 1e-4)
	}
}

func TestMoonsLogDensitySymmetry(t *testing.T) {
	// The inner moon is the outer one reflected through (½, ¼): p(x) = p(c − x).
	x := MustMoons(50, 0.2, 3)
	mirrored := make([][]float64, len(x))
	for i, p := range x {
		mirrored[i] = []float64{1 - p[0], 0.5 - p[1]}
	}
	a, b := MoonsLogDensity(x, 0.1), MoonsLogDensity(mirrored, 0.1)
	for i := range a {
		assertClose(t, fmt.Sprintf("log p(x) − log p(c − x) at %v", x[i]), a[i]-b[i], 0, 1e-12)
	}
}

func TestMoonsLogDensityBadInput(t *testing.T) {
	x := [][]float64{{0, 0}}
	// 1e-200 (σ² underflows to 0) gave NaN and 1e200 (σ² overflows) was accepted: found by FuzzMoonsDensity.
	for _, noise := range []float64{0, -0.1, math.NaN(), math.Inf(1), 1e-200, 1e200} {
		assertPanics(t, fmt.Sprintf("noise %v", noise), func() { MoonsLogDensity(x, noise) },
			"MoonsLogDensity", "noise must be a standard deviation in [MinDensityNoise, MaxNoise] = [1e-100, 1e+100]", fmt.Sprint(noise))
	}
	// Far from the arc with a small σ, κ = r/σ² overflows: the log-density is still −∞, not NaN.
	for _, p := range [][]float64{{1e120, 0}, {-1e150, 3}, {1e300, 1e300}} {
		if lp := MoonsLogDensity([][]float64{p}, 1e-100)[0]; !math.IsInf(lp, -1) {
			t.Errorf("MoonsLogDensity(%v, σ=1e-100) = %v, want -Inf", p, lp)
		}
	}
	assertPanics(t, "3-column row", func() { MoonsLogDensity([][]float64{{0, 0}, {1, 2, 3}}, 0.1) },
		"row 1 has 3 columns, want 2")
}

func TestMoonsMoments(t *testing.T) {
	// Against the FACTS reference numbers.
	_, std := MoonsMoments(0.05)
	assertClose(t, "std₁ at σ=0.05", std[0], 0.8675, 5e-5)
	assertClose(t, "std₂ at σ=0.05", std[1], 0.4967, 5e-5)
	_, std = MoonsMoments(0.1)
	assertClose(t, "std₁ at σ=0.1", std[0], 0.8718, 5e-5)
	assertClose(t, "std₂ at σ=0.1", std[1], 0.5042, 5e-5)

	// Against moments integrated numerically over t (midpoint rule) plus σ².
	const sigma, nodes = 0.07, 100000
	var m1, m2, s1, s2 float64
	for i := range nodes {
		tt := math.Pi * (float64(i) + 0.5) / nodes
		for _, p := range [][2]float64{{math.Cos(tt), math.Sin(tt)}, {1 - math.Cos(tt), 0.5 - math.Sin(tt)}} {
			m1 += p[0] / (2 * nodes)
			m2 += p[1] / (2 * nodes)
			s1 += p[0] * p[0] / (2 * nodes)
			s2 += p[1] * p[1] / (2 * nodes)
		}
	}
	mean, std := MoonsMoments(sigma)
	assertClose(t, "mean₁", mean[0], m1, 1e-9)
	assertClose(t, "mean₂", mean[1], m2, 1e-9)
	assertClose(t, "std₁", std[0], math.Sqrt(s1-m1*m1+sigma*sigma), 1e-9)
	assertClose(t, "std₂", std[1], math.Sqrt(s2-m2*m2+sigma*sigma), 1e-9)

	// Against a large sample: standard errors are ~std/√n for the mean and
	// ~std/√(2n) for the std; allow 5 of them.
	const n = 200000
	x := MustMoons(n, sigma, 11)
	sm, ss := sampleMoments(x)
	for d := range 2 {
		se := std[d] / math.Sqrt(n)
		assertClose(t, fmt.Sprintf("sample mean[%d]", d), sm[d], mean[d], 5*se)
		assertClose(t, fmt.Sprintf("sample std[%d]", d), ss[d], std[d], 5*se)
	}
}

func TestMoonsEntropy(t *testing.T) {
	// Reference values refined with 10⁶ samples (FACTS.md), ± 0.0007 each.
	for _, tc := range []struct{ noise, want float64 }{{0.05, 1.1316}, {0.1, 1.8293}} {
		got, se, err := MoonsEntropy(tc.noise, 100000, 2024)
		if err != nil {
			t.Fatal(err)
		}
		if se <= 0 || se > 0.004 {
			t.Errorf("σ=%v: stdErr %g, want in (0, 0.004] for 10⁵ samples", tc.noise, se)
		}
		tol := 3*math.Hypot(se, 0.0007) + 0.001
		assertClose(t, fmt.Sprintf("MoonsEntropy(σ=%v)", tc.noise), got, tc.want, tol)
	}
	// Reproducible for a seed, different across seeds.
	a, _, _ := MoonsEntropy(0.05, 2000, 1)
	b, _, _ := MoonsEntropy(0.05, 2000, 1)
	c, _, _ := MoonsEntropy(0.05, 2000, 2)
	if a != b || a == c {
		t.Errorf("MoonsEntropy seeds: seed 1 twice gave %v and %v, seed 2 gave %v; want equal, equal, different", a, b, c)
	}
}

func TestMoonsEntropyBadInput(t *testing.T) {
	// 1e-200 gave NaN ± NaN without an error: found by FuzzMoonsEntropy.
	for _, noise := range []float64{0, -1, math.NaN(), math.Inf(1), 1e-200, 1e200} {
		_, _, err := MoonsEntropy(noise, 100, 1)
		assertErrorContains(t, fmt.Sprintf("noise %v", noise), err, "datasets: MoonsEntropy", "noise must be a standard deviation in [MinDensityNoise, MaxNoise]", fmt.Sprint(noise))
	}
	for _, samples := range []int{1, 0, -3, MaxPoints + 1} {
		_, _, err := MoonsEntropy(0.05, samples, 1)
		assertErrorContains(t, fmt.Sprintf("samples %d", samples), err, "MoonsEntropy", "samples must be at least 2", fmt.Sprint(samples))
	}
}

func TestGaussianBaselineNLL(t *testing.T) {
	assertClose(t, "GaussianBaselineNLL(2)", GaussianBaselineNLL(2), 2.8379, 5e-5)
	assertClose(t, "GaussianBaselineNLL(1)", GaussianBaselineNLL(1), 0.5*(1+math.Log(2*math.Pi)), 1e-15)
	// It is the N(0, I) NLL of any standardized data: check it on standardized moons.
	x := MustMoons(100000, 0.05, 5)
	z := MoonsStandardizer(0.05).Transform(x)
	var nll float64
	for _, p := range z {
		nll += (math.Log(2*math.Pi) + 0.5*(p[0]*p[0]+p[1]*p[1])) / float64(len(z))
	}
	assertClose(t, "N(0,I) NLL on standardized moons", nll, GaussianBaselineNLL(2), 0.01)
}

func TestGaussLegendre(t *testing.T) {
	// An n-point rule integrates x^k exactly for k ≤ 2n−1.
	for _, n := range []int{1, 2, 5, 8} {
		x, w := gaussLegendre(n)
		for k := 0; k <= 2*n-1; k++ {
			var got float64
			for i := range x {
				got += w[i] * math.Pow(x[i], float64(k))
			}
			want := 0.0
			if k%2 == 0 {
				want = 2 / float64(k+1)
			}
			assertClose(t, fmt.Sprintf("%d-point rule on x^%d", n, k), got, want, 1e-13)
		}
	}
}

// BenchmarkMoonsEntropy times the default call, 20 000 samples.
func BenchmarkMoonsEntropy(b *testing.B) {
	for b.Loop() {
		if _, _, err := MoonsEntropy(DefaultMoonsNoise, 20000, 1); err != nil {
			b.Fatal(err)
		}
	}
}
