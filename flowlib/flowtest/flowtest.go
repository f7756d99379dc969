// Package flowtest checks that a bijector keeps the flowlib contract. One call runs every check:
//
//	flowtest.CheckBijector(t, backend, bijectors.NewAffineCoupling(mask), 2, flowtest.Options{Identity: true})
//
// The checks: shapes are kept and log-determinants have shape [batch]; Inverse(Forward(z)) ≈ z; the forward
// log-determinant at z and the inverse one at x = f(z) cancel; the forward log-determinant equals log|det J| with
// J = ∂f/∂z from GoMLX autodiff; and, with Options.Identity, a fresh bijector is the identity map. The identity check
// runs first, on the fresh parameters; the others run after every trainable variable has been perturbed, so that a
// zero-initialised layer is tested as the non-trivial map it becomes in training.
//
// A notebook has no testing.T; [Check] runs the same checks and returns a [Report] to print:
//
//	report := flowtest.Check(backend, myBijector, 1, flowtest.Options{})
//	fmt.Print(report)       // one line per property: ok, FAILED (with the first failure) or not checked
//	err := report.Err()     // nil when every property held
package flowtest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/flowsgo/flows/flowlib"
	"github.com/flowsgo/flows/flowlib/backend"
	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// Options tunes [CheckBijector]; zero values take the defaults noted.
type Options struct {
	Batch    int     // number of test points; default 16
	Scale    float64 // test points are drawn from N(0, Scale²·I); default 1
	Points   [][]float64
	Tol      float64 // absolute tolerance of every comparison; default 1e-4 (float32 algebra)
	Perturb  float64 // std of the noise added to trainable variables before the main checks; default 0.3
	Identity bool    // also check that the fresh bijector is the identity
	Seed     uint64  // seeds the test points, the initial weights and the perturbation
}

// Backend returns the backend tests run on ([backend.Choose]: $GOMLX_BACKEND, else XLA if a PJRT plugin is
// installed, else pure Go), failing t if none can be made.
func Backend(t testing.TB) compute.Backend {
	t.Helper()
	b, _, err := backend.Choose()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// CheckBijector runs every check on b, a bijector on R^dim, and reports failures as
// "what: got X, want Y (tol T)". It runs the same checks as [Check], which returns them as a [Report] instead.
func CheckBijector(t testing.TB, backend compute.Backend, b flowlib.Bijector, dim int, opts Options) {
	t.Helper()
	r := check(backend, b, dim, opts)
	for _, p := range r.Properties {
		for _, f := range p.Failures {
			if f != r.Stopped {
				t.Errorf("%s", f)
			}
		}
	}
	if r.Stopped != "" {
		t.Fatalf("%s", r.Stopped)
	}
}

// Check runs the checks of [CheckBijector] on b, a bijector on R^dim, without a testing.T: for notebooks and
// programs. The report lists every property with its verdict; [Report.Err] is nil when all passed. A panic while
// building or running b's graph (a shape mistake, say) is caught and reported as the reason the checks stopped.
func Check(backend compute.Backend, b flowlib.Bijector, dim int, opts Options) (r *Report) {
	defer func() {
		if p := recover(); p != nil {
			if r == nil {
				r = &Report{Bijector: flowlib.Describe(b)}
			}
			r.Stopped = fmt.Sprintf("flowtest: panic while checking %s: %v", flowlib.Describe(b), p)
		}
	}()
	return check(backend, b, dim, opts)
}

// Property names, in the order the checks run.
const (
	PropShapes    = "shapes: Forward keeps [batch, D], log-dets are [batch]"
	PropIdentity  = "identity at initialisation"
	PropFinite    = "Forward(z) is finite"
	PropRoundTrip = "round trip: Inverse(Forward(z)) = z"
	PropCancel    = "forward and inverse log-dets cancel"
	PropAutodiff  = "logDet = log|det J| from autodiff"
)

// Property is the verdict on one property of the contract.
type Property struct {
	Name     string
	Checked  bool     // false when the property was not checked (Identity not asked for, or the checks stopped)
	Failures []string // one "what: got X, want Y (tol T)" per failed comparison; empty when it passed
}

// Passed reports whether the property was checked and held.
func (p Property) Passed() bool { return p.Checked && len(p.Failures) == 0 }

// Report is the outcome of [Check]: one [Property] per check, in the order they ran.
type Report struct {
	Bijector   string
	Properties []Property
	Stopped    string // why the checks stopped early (a graph error, a wrong shape, a non-finite value); "" if they did not
}

// Err returns nil if every checked property passed and the checks ran to the end, else an error naming the first
// failure.
func (r *Report) Err() error {
	if r.Stopped != "" {
		return fmt.Errorf("%s", r.Stopped)
	}
	for _, p := range r.Properties {
		if len(p.Failures) > 0 {
			return fmt.Errorf("flowtest: %s: %s failed (%d comparisons): %s", r.Bijector, p.Name, len(p.Failures), p.Failures[0])
		}
	}
	return nil
}

// String lists every property as "ok", "FAILED" (with its first failure) or "not checked".
func (r *Report) String() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "flowtest report for %s:\n", r.Bijector)
	for _, p := range r.Properties {
		switch {
		case !p.Checked:
			fmt.Fprintf(&sb, "  not checked  %s\n", p.Name)
		case len(p.Failures) == 0:
			fmt.Fprintf(&sb, "  ok           %s\n", p.Name)
		default:
			fmt.Fprintf(&sb, "  FAILED       %s: %d failed comparisons, first: %s\n", p.Name, len(p.Failures), p.Failures[0])
		}
	}
	if r.Stopped != "" {
		fmt.Fprintf(&sb, "  stopped: %s\n", r.Stopped)
	}
	return sb.String()
}

// property returns the entry named name, marking it checked.
func (r *Report) property(name string) *Property {
	for i := range r.Properties {
		if r.Properties[i].Name == name {
			r.Properties[i].Checked = true
			return &r.Properties[i]
		}
	}
	panic("flowtest: unknown property " + name)
}

// stop records why the checks end here and returns r, for "return r.stop(...)".
func (r *Report) stop(p *Property, format string, args ...any) *Report {
	msg := fmt.Sprintf(format, args...)
	if p != nil {
		p.Failures = append(p.Failures, msg)
	}
	r.Stopped = msg
	return r
}

// check runs every check on b; both [CheckBijector] and [Check] report its result.
func check(backend compute.Backend, b flowlib.Bijector, dim int, opts Options) *Report {
	r := &Report{Bijector: flowlib.Describe(b)}
	for _, name := range []string{PropShapes, PropIdentity, PropFinite, PropRoundTrip, PropCancel, PropAutodiff} {
		r.Properties = append(r.Properties, Property{Name: name})
	}
	if opts.Batch == 0 {
		opts.Batch = 16
	}
	if opts.Scale == 0 {
		opts.Scale = 1
	}
	if opts.Tol == 0 {
		opts.Tol = 1e-4
	}
	if opts.Perturb == 0 {
		opts.Perturb = 0.3
	}
	rng := rand.New(rand.NewPCG(opts.Seed, 7))
	z := opts.Points
	if z == nil {
		z = make([][]float64, opts.Batch)
		for i := range z {
			z[i] = make([]float64, dim)
			for j := range z[i] {
				z[i][j] = opts.Scale * rng.NormFloat64()
			}
		}
	}
	store := model.NewStore()
	store.SetParam(model.ParamInitialSeed, int64(opts.Seed)+1) // deterministic initial weights
	exec, err := model.NewExec(backend, store, func(scope *model.Scope, z *Node) []*Node {
		x, ldF := b.Forward(scope, z)
		zBack, ldI := b.Inverse(scope, x)
		outs := []*Node{x, ldF, zBack, ldI}
		// Row i of each example's Jacobian: ∂x_i/∂z, from the gradient of Σ_batch x_i (examples are independent).
		for i := range dim {
			oneHot := make([]float64, dim)
			oneHot[i] = 1
			xi := ReduceAllSum(Mul(x, ConstAs(x, [][]float64{oneHot})))
			outs = append(outs, Gradient(xi, z)[0])
		}
		return outs
	})
	if err != nil {
		return r.stop(nil, "flowtest: building the graph: %v", err)
	}
	defer exec.Finalize()
	shapes := r.property(PropShapes)
	run := func() (x, ldF, zBack, ldI [][]float64, jac [][][]float64, ok bool) {
		res, err := exec.Call(flowlib.ToTensor(z, 0, dim))
		if err != nil {
			r.stop(nil, "flowtest: running the graph: %v", err)
			return
		}
		if got := res[0].Shape().Dimensions; len(got) != 2 || got[0] != len(z) || got[1] != dim {
			r.stop(shapes, "Forward output shape: got %v, want [%d %d]", got, len(z), dim)
			return
		}
		for k, name := range map[int]string{1: "Forward logDet", 3: "Inverse logDet"} {
			if got := res[k].Shape().Dimensions; len(got) != 1 || got[0] != len(z) {
				r.stop(shapes, "%s shape: got %v, want [%d]", name, got, len(z))
				return
			}
		}
		x, ldF, zBack, ldI = flowlib.FromTensor(res[0]), flowlib.FromTensor(res[1]), flowlib.FromTensor(res[2]), flowlib.FromTensor(res[3])
		jac = make([][][]float64, len(z))
		for n := range z {
			jac[n] = make([][]float64, dim)
			for i := range dim {
				jac[n][i] = flowlib.FromTensor(res[4+i])[n]
			}
		}
		return x, ldF, zBack, ldI, jac, true
	}

	x, ldF, _, _, _, ok := run()
	if !ok {
		return r
	}
	if opts.Identity {
		p := r.property(PropIdentity)
		for n := range z {
			for j := range dim {
				expectClose(p, fmt.Sprintf("identity at init: x[%d][%d]", n, j), x[n][j], z[n][j], opts.Tol)
			}
			expectClose(p, fmt.Sprintf("identity at init: logDet[%d]", n), ldF[n][0], 0, opts.Tol)
		}
	}
	if err := perturb(store, rng, opts.Perturb); err != nil {
		return r.stop(nil, "%v", err)
	}
	x, ldF, zBack, ldI, jac, ok := run()
	if !ok {
		return r
	}
	finiteP, trip, cancel, auto := r.property(PropFinite), r.property(PropRoundTrip), r.property(PropCancel), r.property(PropAutodiff)
	for n := range z {
		for j := range dim {
			if !finite(x[n][j]) {
				return r.stop(finiteP, "Forward(z)[%d][%d] = %v, want a finite number", n, j, x[n][j])
			}
			expectClose(trip, fmt.Sprintf("round trip Inverse(Forward(z))[%d][%d]", n, j), zBack[n][j], z[n][j], opts.Tol*(1+math.Abs(z[n][j])))
		}
		expectClose(cancel, fmt.Sprintf("forward + inverse logDet [%d]", n), ldF[n][0]+ldI[n][0], 0, opts.Tol*(1+math.Abs(ldF[n][0])))
		logAbsDet, ok := LogAbsDet(jac[n])
		if !ok {
			auto.Failures = append(auto.Failures, fmt.Sprintf("autodiff Jacobian [%d] is singular: %v", n, jac[n]))
			continue
		}
		expectClose(auto, fmt.Sprintf("logDet vs log|det J| from autodiff [%d]", n), ldF[n][0], logAbsDet, opts.Tol*(1+math.Abs(logAbsDet)))
	}
	return r
}

// perturb adds N(0, std²) noise to every trainable variable of store.
func perturb(store *model.Store, rng *rand.Rand, std float64) error {
	for v := range store.IterVariables() {
		if !v.Trainable {
			continue
		}
		val, err := v.Value()
		if err != nil {
			return fmt.Errorf("flowtest: reading %s: %w", v.Path(), err)
		}
		flat, err := tensors.CopyFlatData[float32](val)
		if err != nil {
			return fmt.Errorf("flowtest: variable %s is not float32: %w", v.Path(), err)
		}
		for i := range flat {
			flat[i] += float32(std * rng.NormFloat64())
		}
		if err := v.SetValue(tensors.FromFlatDataAndDimensions(flat, v.Shape().Dimensions...)); err != nil {
			return fmt.Errorf("flowtest: setting %s: %w", v.Path(), err)
		}
	}
	return nil
}

// LogAbsDet returns log|det a| for a square matrix by LU decomposition with partial pivoting; ok is false when a is
// singular.
func LogAbsDet(a [][]float64) (logAbsDet float64, ok bool) {
	d := len(a)
	m := make([][]float64, d)
	for i := range a {
		m[i] = append([]float64(nil), a[i]...)
	}
	for col := range d {
		p := col
		for r := col + 1; r < d; r++ {
			if math.Abs(m[r][col]) > math.Abs(m[p][col]) {
				p = r
			}
		}
		if m[p][col] == 0 {
			return 0, false
		}
		m[col], m[p] = m[p], m[col]
		logAbsDet += math.Log(math.Abs(m[col][col]))
		for r := col + 1; r < d; r++ {
			f := m[r][col] / m[col][col]
			for j := col; j < d; j++ {
				m[r][j] -= f * m[col][j]
			}
		}
	}
	return logAbsDet, true
}

// expectClose records "what: got X, want Y (tol T)" as a failure of p unless |got − want| ≤ tol.
func expectClose(p *Property, what string, got, want, tol float64) {
	if !(math.Abs(got-want) <= tol) {
		p.Failures = append(p.Failures, fmt.Sprintf("%s: got %.8g, want %.8g (tol %.2g)", what, got, want, tol))
	}
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
