// Package nb holds the small host-side helpers the notebooks share, so that a chapter's cells show
// the idea and not the plumbing: evenly spaced grids, the reshaping between a plain slice and the
// one-value rows flowlib's host-side calls take, the standard normal density, interpolation and
// integration on a grid, the location of a maximum, a power-law fit, Gaussian point clouds and a generic Must.
//
//	zs := nb.Linspace(-3, 3, 401)
//	logp := nb.Must(flowModel.LogProb(nb.Column(zs)))
//	total := nb.Trapezoid(zs, nb.Exp(logp)) // ≈ 1 for a density
//
// Everything here is plain Go on float64 values; nothing touches a backend.
package nb

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// Must returns v and panics if err is not nil: for notebook cells, where a panic shows the error.
func Must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// Must2 is [Must] for calls that return two values and an error.
func Must2[T, U any](a T, b U, err error) (T, U) {
	if err != nil {
		panic(err)
	}
	return a, b
}

// Linspace returns n evenly spaced values from lo to hi, both included. It panics if n < 2.
func Linspace(lo, hi float64, n int) []float64 {
	if n < 2 {
		panic(fmt.Sprintf("nb.Linspace: n must be at least 2, got %d", n))
	}
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = lo + (hi-lo)*float64(i)/float64(n-1)
	}
	xs[n-1] = hi
	return xs
}

// Column turns values into rows of one value each, the shape of 1-D points in flowlib's host-side
// calls ([][]float64, one row per point). [Firsts] undoes it.
func Column(xs []float64) [][]float64 {
	rows := make([][]float64, len(xs))
	for i, x := range xs {
		rows[i] = []float64{x}
	}
	return rows
}

// Firsts returns the first value of each row: 1-D points as a plain slice.
func Firsts(rows [][]float64) []float64 {
	out := make([]float64, len(rows))
	for i, r := range rows {
		out[i] = r[0]
	}
	return out
}

// Exp returns exp(x) for every x: log-densities to densities.
func Exp(xs []float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = math.Exp(x)
	}
	return out
}

// Phi is the standard normal density φ(z) = exp(−z²/2)/√(2π).
func Phi(z float64) float64 { return math.Exp(-z*z/2) / math.Sqrt(2*math.Pi) }

// NormalCDF is the standard normal distribution function Φ(z) = P(Z ≤ z) = erfc(−z/√2)/2.
func NormalCDF(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }

// Interp returns the linear interpolation of the points (xs[i], ys[i]) at x, for increasing xs;
// outside [xs[0], xs[last]] it returns the end value. It panics if the lengths differ or are 0.
func Interp(xs, ys []float64, x float64) float64 {
	if len(xs) != len(ys) || len(xs) == 0 {
		panic(fmt.Sprintf("nb.Interp: xs and ys must have the same, non-zero length, got %d and %d", len(xs), len(ys)))
	}
	i := sort.SearchFloat64s(xs, x)
	if i == 0 {
		return ys[0]
	}
	if i == len(xs) {
		return ys[len(ys)-1]
	}
	t := (x - xs[i-1]) / (xs[i] - xs[i-1])
	return ys[i-1] + t*(ys[i]-ys[i-1])
}

// Trapezoid returns the trapezoid-rule integral of ys over xs: Σ (ys[i]+ys[i−1])/2 · (xs[i]−xs[i−1]).
func Trapezoid(xs, ys []float64) float64 {
	c := CumTrapezoid(xs, ys)
	if len(c) == 0 {
		return 0
	}
	return c[len(c)-1]
}

// CumTrapezoid returns the running trapezoid-rule integral of ys over xs: entry i integrates from
// xs[0] to xs[i], so the first entry is 0 and the last is [Trapezoid]. It panics if the lengths differ.
func CumTrapezoid(xs, ys []float64) []float64 {
	if len(xs) != len(ys) {
		panic(fmt.Sprintf("nb.CumTrapezoid: xs and ys must have the same length, got %d and %d", len(xs), len(ys)))
	}
	c := make([]float64, len(xs))
	for i := 1; i < len(xs); i++ {
		c[i] = c[i-1] + 0.5*(ys[i]+ys[i-1])*(xs[i]-xs[i-1])
	}
	return c
}

// Normal returns n points of dimension d drawn from the standard normal N(0, I), reproducibly
// from seed. It panics if n < 0 or d < 1.
func Normal(n, d int, seed uint64) [][]float64 {
	if n < 0 || d < 1 {
		panic(fmt.Sprintf("nb.Normal: need n ≥ 0 and d ≥ 1, got n = %d, d = %d", n, d))
	}
	r := rand.New(rand.NewPCG(seed, 0x6e62))
	pts := make([][]float64, n)
	for i := range pts {
		pts[i] = make([]float64, d)
		for j := range pts[i] {
			pts[i][j] = r.NormFloat64()
		}
	}
	return pts
}

// Map returns f(x) for every x: a curve on a grid, as in ys := nb.Map(xs, math.Sin).
func Map(xs []float64, f func(float64) float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

// ArgMax returns the index of the largest value in xs (the first one on ties). It panics if xs is empty.
func ArgMax(xs []float64) int {
	if len(xs) == 0 {
		panic("nb.ArgMax: xs is empty")
	}
	best := 0
	for i, x := range xs {
		if x > xs[best] {
			best = i
		}
	}
	return best
}

// LogLogSlope returns the least-squares slope of log y against log x: the exponent k of a power law y ≈ c·xᵏ
// fitted to the points. It panics unless there are at least two points, all positive, with distinct xs.
func LogLogSlope(xs, ys []float64) float64 {
	if len(xs) != len(ys) || len(xs) < 2 {
		panic(fmt.Sprintf("nb.LogLogSlope: need two or more (x, y) pairs of equal length, got %d and %d", len(xs), len(ys)))
	}
	var mx, my float64
	lx, ly := make([]float64, len(xs)), make([]float64, len(ys))
	for i := range xs {
		if !(xs[i] > 0 && ys[i] > 0) {
			panic(fmt.Sprintf("nb.LogLogSlope: values must be positive, got x = %v, y = %v", xs[i], ys[i]))
		}
		lx[i], ly[i] = math.Log(xs[i]), math.Log(ys[i])
		mx += lx[i] / float64(len(xs))
		my += ly[i] / float64(len(xs))
	}
	var sxy, sxx float64
	for i := range lx {
		sxy += (lx[i] - mx) * (ly[i] - my)
		sxx += (lx[i] - mx) * (lx[i] - mx)
	}
	if sxx == 0 {
		panic("nb.LogLogSlope: all xs are equal")
	}
	return sxy / sxx
}
