package bijectors

import (
	"strings"
	"testing"

	"github.com/flowsgo/flows/flowlib"
	"github.com/flowsgo/flows/flowlib/flowtest"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// TestContract runs the shared checker over every bijector in this package.
func TestContract(t *testing.T) {
	b := flowtest.Backend(t)
	fixed, err := FixedAffine([]float64{2, 0.5}, []float64{1, -3})
	if err != nil {
		t.Fatal(err)
	}
	perm, err := NewPermute([]int{2, 0, 1})
	if err != nil {
		t.Fatal(err)
	}
	// A trainable monotone map: f(z) = z + 0.4·tanh(w)·sin(2z), |0.4·tanh w| < ½ keeps it invertible.
	trainableWarp := NewMonotone("trainable warp", func(scope *model.Scope, z *Node) *Node {
		w := scope.VariableWithValue("w", float32(0)).NodeValue(z.Graph())
		return Add(z, Mul(MulScalar(Tanh(w), 0.4), Sin(MulScalar(z, 2))))
	})
	cases := []struct {
		name     string
		bij      flowlib.Bijector
		dim      int
		identity bool
	}{
		{"Affine", NewAffine(3), 3, true},
		{"FixedAffine", fixed, 2, false},
		{"SineWarp", MustSineWarp(0.45), 2, false},
		{"TrainableMonotone", trainableWarp, 2, true},
		{"SinhArcsinh", NewSinhArcsinh(2), 2, true},
		{"Linear", MustLinear([][]float64{{2, 1}, {-0.5, 1.5}}), 2, false},
		{"Permute", perm, 3, false},
		{"Reverse", NewReverse(4), 4, false},
		{"AffineCoupling", NewAffineCoupling([]bool{true, false}).Hidden(16, 16), 2, true},
		{"AffineCoupling4D", NewAffineCoupling(AlternatingMask(4, 1)).Hidden(8).Activation("tanh"), 4, true},
		{"AdditiveCoupling", NewAdditiveCoupling([]bool{false, true, true}).Hidden(8), 3, true},
		{"ActNorm", NewActNorm(2), 2, true},
		{"Chain", flowlib.Chain(NewAffine(2), NewAffineCoupling([]bool{true, false}).Hidden(8), NewReverse(2)), 2, false},
		{"Invert", flowlib.Invert(NewAffineCoupling([]bool{false, true}).Hidden(8)), 2, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			flowtest.CheckBijector(t, b, c.bij, c.dim, flowtest.Options{Identity: c.identity, Seed: 3})
		})
	}
}

// TestSineWarpFarOut checks the numerical inverse far from the origin, where the bracket must widen many times.
func TestSineWarpFarOut(t *testing.T) {
	flowtest.CheckBijector(t, flowtest.Backend(t), MustSineWarp(0.49), 1, flowtest.Options{Scale: 1000, Tol: 1e-3})
}

func TestBadInput(t *testing.T) {
	for _, a := range []float64{0.5, -0.5, 0.7} {
		if _, err := SineWarp(a); err == nil || !strings.Contains(err.Error(), "|a| < 0.5") {
			t.Errorf("SineWarp(%v): got error %v, want one saying |a| < 0.5", a, err)
		}
	}
	if _, err := NewLinear([][]float64{{1, 2}, {2, 4}}); err == nil || !strings.Contains(err.Error(), "singular") {
		t.Errorf("NewLinear(singular): got %v, want a 'singular' error", err)
	}
	if _, err := NewLinear([][]float64{{1, 2}}); err == nil || !strings.Contains(err.Error(), "square") {
		t.Errorf("NewLinear(1x2): got %v, want a 'square' error", err)
	}
	if _, err := NewPermute([]int{0, 0}); err == nil || !strings.Contains(err.Error(), "not a permutation") {
		t.Errorf("NewPermute([0 0]): got %v, want 'not a permutation'", err)
	}
	if _, err := FixedAffine([]float64{1, 0}, []float64{0, 0}); err == nil || !strings.Contains(err.Error(), "scale[1]") {
		t.Errorf("FixedAffine(scale 0): got %v, want an error naming scale[1]", err)
	}
	expectPanic(t, "mask must have", func() { NewAffineCoupling([]bool{true, true}) })
	// Wrong dimension at graph-building time names the bijector and the shapes.
	// Not MustExecOnce: in GoMLX v0.28.2 its deferred Finalize waits forever for a compilation that panicked.
	expectPanic(t, "bijectors.Affine.Forward: want input of shape [batch, 3]", func() {
		MustNewExec(flowtest.Backend(t), func(x *Node) *Node {
			y, _ := NewAffine(3).Forward(model.NewStore().RootScope(), x)
			return y
		}).MustCall([][]float32{{1, 2}})
	})
}

func expectPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Errorf("expected a panic containing %q, got none", want)
			return
		}
		if msg := panicMessage(r); !strings.Contains(msg, want) {
			t.Errorf("panic: got %q, want it to contain %q", msg, want)
		}
	}()
	f()
}

func panicMessage(r any) string {
	switch v := r.(type) {
	case error:
		return v.Error()
	case string:
		return v
	}
	return ""
}

// TestSinhArcsinhTails backs the doc comment: δ < 1 gives lighter tails than the normal input, δ > 1 heavier ones,
// measured by the excess kurtosis of 200,000 samples.
func TestSinhArcsinhTails(t *testing.T) {
	b := flowtest.Backend(t)
	for _, c := range []struct{ delta, lo, hi float64 }{{0.5, -0.8, -0.6}, {1, -0.05, 0.05}, {1.5, 1.3, 2.1}} {
		m := flowlib.NewModel(b, flowlib.NewFlow(1, NewSinhArcsinh(1).WithInit(0, c.delta)))
		pts, err := m.Sample(200_000, 1)
		if err != nil {
			t.Fatal(err)
		}
		var mean, m2, m4 float64
		for _, p := range pts {
			mean += p[0] / float64(len(pts))
		}
		for _, p := range pts {
			d := p[0] - mean
			m2 += d * d / float64(len(pts))
			m4 += d * d * d * d / float64(len(pts))
		}
		if k := m4/(m2*m2) - 3; k < c.lo || k > c.hi {
			t.Errorf("δ = %v: excess kurtosis got %.3f, want in [%v, %v]", c.delta, k, c.lo, c.hi)
		}
	}
}
