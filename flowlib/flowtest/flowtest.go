// Package flowtest checks that a bijector keeps the flowlib contract. One call runs every check:
//
//	flowtest.CheckBijector(t, backend, bijectors.NewAffineCoupling(mask), 2, flowtest.Options{Identity: true})
//
// The checks: shapes are kept and log-determinants have shape [batch]; Inverse(Forward(z)) ≈ z; the forward
// log-determinant at z and the inverse one at x = f(z) cancel; the forward log-determinant equals log|det J| with
// J = ∂f/∂z from GoMLX autodiff; and, with Options.Identity, a fresh bijector is the identity map. The identity check
// runs first, on the fresh parameters; the others run after every trainable variable has been perturbed, so that a
// zero-initialised layer is tested as the non-trivial map it becomes in training.
package flowtest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/flowsgo/flows/flowlib"
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

// CheckBijector runs every check on b, a bijector on R^dim, and reports failures as
// "what: got X, want Y (tol T)".
func CheckBijector(t testing.TB, backend compute.Backend, b flowlib.Bijector, dim int, opts Options) {
	t.Helper()
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
		t.Fatalf("flowtest: building the graph: %v", err)
	}
	defer exec.Finalize()
	run := func() (x, ldF, zBack, ldI [][]float64, jac [][][]float64) {
		res, err := exec.Call(flowlib.ToTensor(z, 0, dim))
		if err != nil {
			t.Fatalf("flowtest: running the graph: %v", err)
		}
		if got := res[0].Shape().Dimensions; len(got) != 2 || got[0] != len(z) || got[1] != dim {
			t.Fatalf("Forward output shape: got %v, want [%d %d]", got, len(z), dim)
		}
		for k, name := range map[int]string{1: "Forward logDet", 3: "Inverse logDet"} {
			if got := res[k].Shape().Dimensions; len(got) != 1 || got[0] != len(z) {
				t.Fatalf("%s shape: got %v, want [%d]", name, got, len(z))
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
		return
	}

	x, ldF, _, _, _ := run()
	if opts.Identity {
		for n := range z {
			for j := range dim {
				expectClose(t, fmt.Sprintf("identity at init: x[%d][%d]", n, j), x[n][j], z[n][j], opts.Tol)
			}
			expectClose(t, fmt.Sprintf("identity at init: logDet[%d]", n), ldF[n][0], 0, opts.Tol)
		}
	}
	perturb(t, store, rng, opts.Perturb)
	x, ldF, zBack, ldI, jac := run()
	for n := range z {
		for j := range dim {
			if !finite(x[n][j]) {
				t.Fatalf("Forward(z)[%d][%d] = %v, want a finite number", n, j, x[n][j])
			}
			expectClose(t, fmt.Sprintf("round trip Inverse(Forward(z))[%d][%d]", n, j), zBack[n][j], z[n][j], opts.Tol*(1+math.Abs(z[n][j])))
		}
		expectClose(t, fmt.Sprintf("forward + inverse logDet [%d]", n), ldF[n][0]+ldI[n][0], 0, opts.Tol*(1+math.Abs(ldF[n][0])))
		logAbsDet, ok := LogAbsDet(jac[n])
		if !ok {
			t.Errorf("autodiff Jacobian [%d] is singular: %v", n, jac[n])
			continue
		}
		expectClose(t, fmt.Sprintf("logDet vs log|det J| from autodiff [%d]", n), ldF[n][0], logAbsDet, opts.Tol*(1+math.Abs(logAbsDet)))
	}
}

// perturb adds N(0, std²) noise to every trainable variable of store.
func perturb(t testing.TB, store *model.Store, rng *rand.Rand, std float64) {
	t.Helper()
	for v := range store.IterVariables() {
		if !v.Trainable {
			continue
		}
		val, err := v.Value()
		if err != nil {
			t.Fatalf("flowtest: reading %s: %v", v.Path(), err)
		}
		flat, err := tensors.CopyFlatData[float32](val)
		if err != nil {
			t.Fatalf("flowtest: variable %s is not float32: %v", v.Path(), err)
		}
		for i := range flat {
			flat[i] += float32(std * rng.NormFloat64())
		}
		if err := v.SetValue(tensors.FromFlatDataAndDimensions(flat, v.Shape().Dimensions...)); err != nil {
			t.Fatalf("flowtest: setting %s: %v", v.Path(), err)
		}
	}
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

// expectClose reports "what: got X, want Y (tol T)" unless |got − want| ≤ tol.
func expectClose(t testing.TB, what string, got, want, tol float64) {
	t.Helper()
	if !(math.Abs(got-want) <= tol) {
		t.Errorf("%s: got %.8g, want %.8g (tol %.2g)", what, got, want, tol)
	}
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
