package datasets

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// Default parameters of the generators, as used by [Generate].
const (
	// DefaultMoonsNoise is the standard deviation σ of the Gaussian noise of
	// [Moons] used by [Generate] and throughout flowlib's notebooks.
	DefaultMoonsNoise = 0.05

	// DefaultCirclesNoise is the noise of [Circles] used by [Generate], before
	// the ×3 scaling (FFJORD's make_circles(noise=0.08) ×3).
	DefaultCirclesNoise = 0.08
)

// Limits on the arguments of the generators, so that a typo fails with an
// error instead of exhausting memory or overflowing float64.
const (
	// MaxPoints is the largest n a generator accepts: 10 million points take
	// about 400 MB (two float64 and a slice header each).
	MaxPoints = 10_000_000

	// MaxNoise is the largest noise standard deviation [Moons] and [Circles]
	// accept. Any noise much above 1 already buries the shape; the bound keeps
	// noise² and every point far from float64 overflow.
	MaxNoise = 1e100
)

// pcgStream is the second PCG seed word: the first is the user's seed.
// Changing it changes every data set, so it is fixed forever.
const pcgStream = 0x666c6f776c6962 // "flowlib"

// NewRand returns the random generator every function of this package uses for
// a seed: math/rand/v2's PCG seeded with (seed, 0x666c6f776c6962).
// The same seed always gives the same stream.
func NewRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, pcgStream))
}

// generators maps the names accepted by [Generate] to generators with their
// default parameters. Keep [Names] sorted in the order of this table.
var generators = []struct {
	name string
	gen  func(n int, seed uint64) ([][]float64, error)
}{
	{"moons", func(n int, seed uint64) ([][]float64, error) { return Moons(n, DefaultMoonsNoise, seed) }},
	{"circles", func(n int, seed uint64) ([][]float64, error) { return Circles(n, DefaultCirclesNoise, seed) }},
	{"8gaussians", EightGaussians},
	{"pinwheel", Pinwheel},
	{"checkerboard", Checkerboard},
	{"spirals", Spirals},
}

// Names returns the data set names accepted by [Generate]:
// "moons", "circles", "8gaussians", "pinwheel", "checkerboard", "spirals".
func Names() []string {
	names := make([]string, len(generators))
	for i, g := range generators {
		names[i] = g.name
	}
	return names
}

// Generate returns n points of the named 2-D data set (see [Names]) with its
// default parameters, using the given seed: Generate("moons", n, seed) is
// Moons(n, DefaultMoonsNoise, seed), Generate("circles", n, seed) is
// Circles(n, DefaultCirclesNoise, seed), and the others call the function of
// the same name.
func Generate(name string, n int, seed uint64) ([][]float64, error) {
	for _, g := range generators {
		if g.name == name {
			return g.gen(n, seed)
		}
	}
	return nil, fmt.Errorf("datasets: Generate: unknown data set %q, valid names are %s",
		name, strings.Join(Names(), ", "))
}

// MustGenerate is like [Generate] but panics on error; handy in notebooks.
func MustGenerate(name string, n int, seed uint64) [][]float64 {
	x, err := Generate(name, n, seed)
	if err != nil {
		panic(err)
	}
	return x
}

// Moons returns n points of the two-moons data set:
//
//	outer moon: (cos t, sin t)        + ε
//	inner moon: (1 − cos t, ½ − sin t) + ε,   t ~ U[0, π], ε ~ N(0, noise²·I)
//
// Half the points are on each moon (for odd n the outer moon gets the extra
// one), returned in a random order, so any prefix is a fair sample. This is
// scikit-learn's make_moons without FFJORD's ×2 rescaling. Its population mean
// and standard deviation are given by [MoonsMoments], its exact log-density by
// [MoonsLogDensity] and its entropy by [MoonsEntropy].
//
// Errors: n ≤ 0 or > [MaxPoints], noise negative, not finite or > [MaxNoise].
func Moons(n int, noise float64, seed uint64) ([][]float64, error) {
	if err := checkN("Moons", n); err != nil {
		return nil, err
	}
	if err := checkNoise("Moons", noise); err != nil {
		return nil, err
	}
	rng := NewRand(seed)
	nOuter := (n + 1) / 2
	x := newPoints(n)
	for i := range x {
		t := math.Pi * rng.Float64()
		c, s := math.Cos(t), math.Sin(t)
		if i >= nOuter {
			c, s = 1-c, 0.5-s
		}
		x[i][0] = c + noise*rng.NormFloat64()
		x[i][1] = s + noise*rng.NormFloat64()
	}
	shuffle(rng, x)
	return x, nil
}

// MustMoons is like [Moons] but panics on error; handy in notebooks.
func MustMoons(n int, noise float64, seed uint64) [][]float64 {
	x, err := Moons(n, noise, seed)
	if err != nil {
		panic(err)
	}
	return x
}

// Circles returns n points on two concentric noisy circles (FFJORD's
// "circles", scikit-learn's make_circles with factor ½, scaled by 3):
//
//	outer: 3·((cos θ, sin θ) + ε),   inner: 3·(½·(cos θ, sin θ) + ε),
//	θ ~ U[0, 2π), ε ~ N(0, noise²·I)
//
// so the radii are 3 and 1.5 and the noise standard deviation in output units
// is 3·noise ([DefaultCirclesNoise] = 0.08 gives 0.24). Half the points are on
// each circle (for odd n the outer one gets the extra), in random order.
// Unlike make_circles, which spaces the angles evenly, θ is drawn at random
// so that the points are independent draws of one distribution.
//
// Errors: n ≤ 0 or > [MaxPoints], noise negative, not finite or > [MaxNoise].
func Circles(n int, noise float64, seed uint64) ([][]float64, error) {
	if err := checkN("Circles", n); err != nil {
		return nil, err
	}
	if err := checkNoise("Circles", noise); err != nil {
		return nil, err
	}
	rng := NewRand(seed)
	nOuter := (n + 1) / 2
	x := newPoints(n)
	for i := range x {
		theta := 2 * math.Pi * rng.Float64()
		radius := 1.0
		if i >= nOuter {
			radius = 0.5
		}
		x[i][0] = 3 * (radius*math.Cos(theta) + noise*rng.NormFloat64())
		x[i][1] = 3 * (radius*math.Sin(theta) + noise*rng.NormFloat64())
	}
	shuffle(rng, x)
	return x, nil
}

// EightGaussians returns n points of FFJORD's "8gaussians": a uniform mixture
// of 8 Gaussians with standard deviation 0.5 centred at 4·(cos kπ/4, sin kπ/4),
// k = 0…7, all divided by 1.414 (FFJORD's rounding of √2):
//
//	x = (4·(cos kπ/4, sin kπ/4) + 0.5·ε) / 1.414,   k ~ U{0,…,7}, ε ~ N(0, I)
//
// Errors: n ≤ 0 or > [MaxPoints].
func EightGaussians(n int, seed uint64) ([][]float64, error) {
	if err := checkN("EightGaussians", n); err != nil {
		return nil, err
	}
	rng := NewRand(seed)
	x := newPoints(n)
	for i := range x {
		angle := float64(rng.IntN(8)) * math.Pi / 4
		x[i][0] = (4*math.Cos(angle) + 0.5*rng.NormFloat64()) / 1.414
		x[i][1] = (4*math.Sin(angle) + 0.5*rng.NormFloat64()) / 1.414
	}
	return x, nil
}

// Pinwheel returns n points of FFJORD's "pinwheel": 5 curved arms. For arm
// k = 0…4 (points split evenly among arms, in random order):
//
//	f = (1 + 0.3·ε₁, 0.1·ε₂),   a = 2πk/5 + 0.25·exp(f₀),   ε ~ N(0, I)
//	x = 2·(f₀ cos a + f₁ sin a, −f₀ sin a + f₁ cos a)
//
// FFJORD returns 5·⌊n/5⌋ points; this returns exactly n (the first n mod 5
// arms get one extra point).
//
// Errors: n ≤ 0 or > [MaxPoints].
func Pinwheel(n int, seed uint64) ([][]float64, error) {
	if err := checkN("Pinwheel", n); err != nil {
		return nil, err
	}
	const (
		numArms       = 5
		radialStd     = 0.3
		tangentialStd = 0.1
		rate          = 0.25
	)
	rng := NewRand(seed)
	x := newPoints(n)
	for i := range x {
		f0 := 1 + radialStd*rng.NormFloat64()
		f1 := tangentialStd * rng.NormFloat64()
		a := 2*math.Pi*float64(i%numArms)/numArms + rate*math.Exp(f0)
		c, s := math.Cos(a), math.Sin(a)
		x[i][0] = 2 * (f0*c + f1*s)
		x[i][1] = 2 * (-f0*s + f1*c)
	}
	shuffle(rng, x)
	return x, nil
}

// Checkerboard returns n points uniform on the 8 dark squares of a 4×4
// checkerboard covering [−4, 4)² (FFJORD's "checkerboard"):
//
//	x₁ ~ U[−2, 2),   x₂ = u − 2b + (⌊x₁⌋ mod 2),   u ~ U[0, 1), b ~ U{0, 1}
//	x = 2·(x₁, x₂)
//
// Errors: n ≤ 0 or > [MaxPoints].
func Checkerboard(n int, seed uint64) ([][]float64, error) {
	if err := checkN("Checkerboard", n); err != nil {
		return nil, err
	}
	rng := NewRand(seed)
	x := newPoints(n)
	for i := range x {
		x1 := 4*rng.Float64() - 2
		x2 := rng.Float64() - 2*float64(rng.IntN(2))
		parity := math.Mod(math.Floor(x1), 2) // Python's % is never negative: match it.
		if parity < 0 {
			parity += 2
		}
		x[i][0] = 2 * x1
		x[i][1] = 2 * (x2 + parity)
	}
	return x, nil
}

// Spirals returns n points of FFJORD's "2spirals": two interleaved spiral arms.
// For each point, with u, v, w ~ U[0, 1) and ε ~ N(0, I):
//
//	r = 3π·√u   (540°)
//	p = (−r cos r + v/2, r sin r + w/2)
//	x = s·p/3 + 0.1·ε,   s = +1 on the first arm, −1 on the second
//
// Half the points are on each arm (for odd n the first gets the extra), in
// random order. FFJORD mirrors the same draws onto the second arm; here each
// point is drawn independently.
//
// Errors: n ≤ 0 or > [MaxPoints].
func Spirals(n int, seed uint64) ([][]float64, error) {
	if err := checkN("Spirals", n); err != nil {
		return nil, err
	}
	rng := NewRand(seed)
	nFirst := (n + 1) / 2
	x := newPoints(n)
	for i := range x {
		r := 3 * math.Pi * math.Sqrt(rng.Float64())
		px := -math.Cos(r)*r + 0.5*rng.Float64()
		py := math.Sin(r)*r + 0.5*rng.Float64()
		sign := 1.0
		if i >= nFirst {
			sign = -1
		}
		x[i][0] = sign*px/3 + 0.1*rng.NormFloat64()
		x[i][1] = sign*py/3 + 0.1*rng.NormFloat64()
	}
	shuffle(rng, x)
	return x, nil
}

func checkN(fn string, n int) error {
	if n <= 0 {
		return fmt.Errorf("datasets: %s: n (number of points) must be positive, got %d", fn, n)
	}
	if n > MaxPoints {
		return fmt.Errorf("datasets: %s: n (number of points) must be at most MaxPoints = %d, got %d", fn, MaxPoints, n)
	}
	return nil
}

func checkNoise(fn string, noise float64) error {
	if math.IsNaN(noise) || math.IsInf(noise, 0) || noise < 0 {
		return fmt.Errorf("datasets: %s: noise must be a finite standard deviation >= 0, got %v", fn, noise)
	}
	if noise > MaxNoise {
		return fmt.Errorf("datasets: %s: noise must be at most MaxNoise = %g, got %g", fn, MaxNoise, noise)
	}
	return nil
}

// newPoints allocates n rows of dimension 2 in one backing array.
func newPoints(n int) [][]float64 {
	flat := make([]float64, 2*n)
	x := make([][]float64, n)
	for i := range x {
		x[i] = flat[2*i : 2*i+2 : 2*i+2]
	}
	return x
}

func shuffle(rng *rand.Rand, x [][]float64) {
	rng.Shuffle(len(x), func(i, j int) { x[i], x[j] = x[j], x[i] })
}
