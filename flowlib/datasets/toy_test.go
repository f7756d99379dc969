package datasets

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestGenerateAll(t *testing.T) {
	if got, want := Names(), []string{"moons", "circles", "8gaussians", "pinwheel", "checkerboard", "spirals"}; !slices.Equal(got, want) {
		t.Fatalf("Names() = %v, want %v", got, want)
	}
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			for _, n := range []int{1, 2, 7, 1001} {
				x, err := Generate(name, n, 42)
				if err != nil {
					t.Fatalf("Generate(%q, %d, 42): %v", name, n, err)
				}
				if len(x) != n {
					t.Fatalf("Generate(%q, %d, 42): got %d points, want %d", name, n, len(x), n)
				}
				if err := Validate(x, 2); err != nil {
					t.Fatalf("Generate(%q, %d, 42): %v", name, n, err)
				}
			}
			a, b, c := MustGenerate(name, 500, 1), MustGenerate(name, 500, 1), MustGenerate(name, 500, 2)
			if !slices.EqualFunc(a, b, slices.Equal) {
				t.Errorf("%s: seed 1 gave different points on two calls", name)
			}
			if slices.EqualFunc(a, c, slices.Equal) {
				t.Errorf("%s: seeds 1 and 2 gave the same points", name)
			}
			// Rows must not alias each other: writing one leaves the rest intact.
			a[0][0], a[0][1] = math.NaN(), math.NaN()
			if !slices.Equal(a[1], b[1]) {
				t.Errorf("%s: rows share storage", name)
			}
		})
	}
}

func TestGenerateDefaults(t *testing.T) {
	got, want := MustGenerate("moons", 100, 9), MustMoons(100, DefaultMoonsNoise, 9)
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf(`Generate("moons") differs from Moons(n, DefaultMoonsNoise, seed)`)
	}
	c, _ := Circles(100, DefaultCirclesNoise, 9)
	if !slices.EqualFunc(MustGenerate("circles", 100, 9), c, slices.Equal) {
		t.Errorf(`Generate("circles") differs from Circles(n, DefaultCirclesNoise, seed)`)
	}
}

func TestMoonsGeometry(t *testing.T) {
	// Without noise every point is on one of the arcs, and the outer arc gets
	// the extra point when n is odd.
	const n = 1001
	x := MustMoons(n, 0, 3)
	outer := 0
	for i, p := range x {
		onOuter := math.Abs(math.Hypot(p[0], p[1])-1) < 1e-12 && p[1] >= 0
		onInner := math.Abs(math.Hypot(1-p[0], 0.5-p[1])-1) < 1e-12 && p[1] <= 0.5
		if !onOuter && !onInner {
			t.Fatalf("point %d = %v is on neither moon", i, p)
		}
		if onOuter {
			outer++
		}
	}
	if outer != (n+1)/2 {
		t.Errorf("outer moon has %d of %d points, want %d", outer, n, (n+1)/2)
	}
	// Shuffled: the outer moon's points are not all at the front.
	firstHalfOuter := 0
	for _, p := range x[:n/2] {
		if math.Abs(math.Hypot(p[0], p[1])-1) < 1e-12 && p[1] >= 0 {
			firstHalfOuter++
		}
	}
	if firstHalfOuter == n/2 || firstHalfOuter == 0 {
		t.Errorf("points are not shuffled: %d of the first %d are on the outer moon", firstHalfOuter, n/2)
	}
}

func TestCirclesGeometry(t *testing.T) {
	const n = 999
	x, err := Circles(n, 0, 4)
	if err != nil {
		t.Fatal(err)
	}
	outer := 0
	for i, p := range x {
		r := math.Hypot(p[0], p[1])
		switch {
		case math.Abs(r-3) < 1e-12:
			outer++
		case math.Abs(r-1.5) < 1e-12:
		default:
			t.Fatalf("point %d = %v has radius %v, want 3 or 1.5", i, p, r)
		}
	}
	if outer != (n+1)/2 {
		t.Errorf("outer circle has %d of %d points, want %d", outer, n, (n+1)/2)
	}
	// With noise, the radial spread is 3·noise.
	x, _ = Circles(20000, 0.08, 5)
	var sum2 float64
	for _, p := range x {
		r := math.Hypot(p[0], p[1])
		dr := math.Min(math.Abs(r-3), math.Abs(r-1.5))
		sum2 += dr * dr
	}
	assertClose(t, "radial noise std", math.Sqrt(sum2/float64(len(x))), 0.24, 0.01)
}

func TestCheckerboardSquares(t *testing.T) {
	for i, p := range MustGenerate("checkerboard", 5000, 6) {
		if p[0] < -4 || p[0] >= 4 || p[1] < -4 || p[1] >= 4 {
			t.Fatalf("point %d = %v outside [−4, 4)²", i, p)
		}
		// Dark squares: ⌊x/2⌋ + ⌊y/2⌋ even.
		if s := int(math.Floor(p[0]/2) + math.Floor(p[1]/2)); s%2 != 0 {
			t.Fatalf("point %d = %v is on a light square", i, p)
		}
	}
}

func TestEightGaussiansCentres(t *testing.T) {
	// Every point is within 5 std (0.5/1.414) of one of the 8 centres, and the
	// mean over many points is near the origin.
	x := MustGenerate("8gaussians", 20000, 7)
	for i, p := range x {
		best := math.Inf(1)
		for k := range 8 {
			a := float64(k) * math.Pi / 4
			best = math.Min(best, math.Hypot(p[0]-4*math.Cos(a)/1.414, p[1]-4*math.Sin(a)/1.414))
		}
		if best > 5*0.5/1.414*1.5 {
			t.Fatalf("point %d = %v is %v from the nearest centre", i, p, best)
		}
	}
	mean, _ := sampleMoments(x)
	assertClose(t, "mean x", mean[0], 0, 0.1)
	assertClose(t, "mean y", mean[1], 0, 0.1)
}

func TestGeneratorsBadInput(t *testing.T) {
	gens := map[string]func(n int) error{
		"Moons":          func(n int) error { _, err := Moons(n, 0.1, 1); return err },
		"Circles":        func(n int) error { _, err := Circles(n, 0.1, 1); return err },
		"EightGaussians": func(n int) error { _, err := EightGaussians(n, 1); return err },
		"Pinwheel":       func(n int) error { _, err := Pinwheel(n, 1); return err },
		"Checkerboard":   func(n int) error { _, err := Checkerboard(n, 1); return err },
		"Spirals":        func(n int) error { _, err := Spirals(n, 1); return err },
	}
	for fn, gen := range gens {
		for _, n := range []int{0, -5} {
			assertErrorContains(t, fmt.Sprintf("%s(n=%d)", fn, n), gen(n),
				"datasets: "+fn, "n (number of points) must be positive", fmt.Sprintf("got %d", n))
		}
		// Absurd n fail at once instead of panicking in make or exhausting memory.
		for _, n := range []int{MaxPoints + 1, 1 << 40, math.MaxInt} {
			assertErrorContains(t, fmt.Sprintf("%s(n=%d)", fn, n), gen(n),
				"datasets: "+fn, "n (number of points) must be at most MaxPoints = 10000000", fmt.Sprintf("got %d", n))
		}
	}
	for _, name := range Names() {
		_, err := Generate(name, 0, 1)
		assertErrorContains(t, fmt.Sprintf("Generate(%q, 0)", name), err, "must be positive, got 0")
	}
	for _, noise := range []float64{-0.1, math.NaN(), math.Inf(1), math.Inf(-1)} {
		_, err := Moons(10, noise, 1)
		assertErrorContains(t, fmt.Sprintf("Moons(noise=%v)", noise), err,
			"datasets: Moons", "noise must be a finite standard deviation >= 0", "got "+fmt.Sprint(noise))
		_, err = Circles(10, noise, 1)
		assertErrorContains(t, fmt.Sprintf("Circles(noise=%v)", noise), err,
			"datasets: Circles", "noise must be a finite standard deviation >= 0", "got "+fmt.Sprint(noise))
	}
	// Huge finite noise would overflow the points to ±Inf.
	for _, noise := range []float64{1e101, math.MaxFloat64} {
		_, err := Moons(10, noise, 1)
		assertErrorContains(t, fmt.Sprintf("Moons(noise=%v)", noise), err, "datasets: Moons", "noise must be at most MaxNoise = 1e+100")
		_, err = Circles(10, noise, 1)
		assertErrorContains(t, fmt.Sprintf("Circles(noise=%v)", noise), err, "datasets: Circles", "noise must be at most MaxNoise = 1e+100")
	}
	if _, err := Moons(10, MaxNoise, 1); err != nil {
		t.Errorf("Moons(noise=MaxNoise): %v", err)
	}
	_, err := Generate("swissroll", 10, 1)
	assertErrorContains(t, "Generate(swissroll)", err, `unknown data set "swissroll"`, strings.Join(Names(), ", "))
	assertPanics(t, "MustGenerate(swissroll)", func() { MustGenerate("swissroll", 10, 1) }, `unknown data set "swissroll"`)
	assertPanics(t, "MustMoons(n=0)", func() { MustMoons(0, 0.1, 1) }, "must be positive, got 0")
}
