package flowtest_test

import (
	"strings"
	"testing"

	"github.com/flowsgo/flows/flowlib"
	"github.com/flowsgo/flows/flowlib/bijectors"
	"github.com/flowsgo/flows/flowlib/flowtest"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// sinh is x = sinh(z), a hand-written bijector like the one chapter 2's exercise asks for. With wrongLogDet its
// Forward log-det forgets the log: it returns cosh(z) instead of log cosh(z), a mistake no shape check can see.
type sinh struct{ wrongLogDet bool }

func (s sinh) Forward(_ *model.Scope, z *Node) (*Node, *Node) {
	ez, emz := Exp(z), Exp(Neg(z))
	cosh := DivScalar(Add(ez, emz), 2)
	logDet := Log(cosh) // dx/dz = cosh z
	if s.wrongLogDet {
		logDet = cosh
	}
	return DivScalar(Sub(ez, emz), 2), ReduceSum(logDet, -1)
}

func (s sinh) Inverse(_ *model.Scope, x *Node) (*Node, *Node) {
	// z = asinh(x) = log(x + √(x²+1)); dz/dx = 1/√(1+x²).
	z := Log(Add(x, Sqrt(OnePlus(Square(x)))))
	return z, ReduceSum(MulScalar(Log1p(Square(x)), -0.5), -1)
}

func TestCheckPassesOnACorrectBijector(t *testing.T) {
	b := flowtest.Backend(t)
	for _, c := range []struct {
		name string
		bij  flowlib.Bijector
		dim  int
	}{
		{"hand-written sinh", sinh{}, 1},
		{"hand-written sinh 3D", sinh{}, 3},
		{"AffineCoupling", bijectors.NewAffineCoupling(bijectors.AlternatingMask(2, 0)).Hidden(8), 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := flowtest.Check(b, c.bij, c.dim, flowtest.Options{})
			if err := r.Err(); err != nil {
				t.Fatalf("Check: %v\n%s", err, r)
			}
			for _, p := range r.Properties {
				if p.Name == flowtest.PropIdentity {
					if p.Checked {
						t.Errorf("%s was checked without Options.Identity", p.Name)
					}
					continue
				}
				if !p.Passed() {
					t.Errorf("%s: not passed: %+v", p.Name, p)
				}
			}
			// The same bijector passes the testing.TB entry point, which shares the checks.
			flowtest.CheckBijector(t, b, c.bij, c.dim, flowtest.Options{})
		})
	}
}

func TestCheckCatchesAWrongLogDet(t *testing.T) {
	r := flowtest.Check(flowtest.Backend(t), sinh{wrongLogDet: true}, 1, flowtest.Options{})
	if r.Err() == nil {
		t.Fatalf("Check passed a bijector whose log-det is cosh(z) instead of log cosh(z):\n%s", r)
	}
	failed := map[string]bool{}
	for _, p := range r.Properties {
		failed[p.Name] = p.Checked && !p.Passed()
	}
	// The map and its inverse are right; only the two log-det properties can see the mistake.
	want := map[string]bool{flowtest.PropShapes: false, flowtest.PropFinite: false, flowtest.PropRoundTrip: false,
		flowtest.PropCancel: true, flowtest.PropAutodiff: true}
	for name, w := range want {
		if failed[name] != w {
			t.Errorf("%s: failed = %v, want %v\n%s", name, failed[name], w, r)
		}
	}
	if s := r.String(); !strings.Contains(s, "FAILED") || !strings.Contains(s, "want") {
		t.Errorf("report does not show the failure as \"got X, want Y\":\n%s", s)
	}
}

// fakeTB records what CheckBijector reports, to show that it fails the test on the same mistake.
type fakeTB struct {
	testing.TB
	errors []string
	fatal  bool
}

func (f *fakeTB) Helper()                        {}
func (f *fakeTB) Errorf(format string, a ...any) { f.errors = append(f.errors, format) }
func (f *fakeTB) Fatalf(format string, a ...any) { f.fatal = true }

func TestCheckBijectorFailsOnAWrongLogDet(t *testing.T) {
	f := &fakeTB{TB: t}
	flowtest.CheckBijector(f, flowtest.Backend(t), sinh{wrongLogDet: true}, 1, flowtest.Options{})
	if len(f.errors) == 0 {
		t.Fatal("CheckBijector reported nothing for a wrong log-det")
	}
}

// A bijector whose Forward returns the wrong shape stops the checks with a message, not a panic.
type badShape struct{}

func (badShape) Forward(_ *model.Scope, z *Node) (*Node, *Node) { return z, z } // log-det [batch, D], not [batch]
func (badShape) Inverse(_ *model.Scope, x *Node) (*Node, *Node) { return x, x }

func TestCheckStopsOnAWrongShape(t *testing.T) {
	r := flowtest.Check(flowtest.Backend(t), badShape{}, 2, flowtest.Options{})
	if r.Stopped == "" || r.Err() == nil {
		t.Fatalf("Check did not stop on a [batch, D] log-det:\n%s", r)
	}
	t.Logf("%s", r)
}
