package bijectors

import (
	"fmt"
	"math"

	"github.com/flowsgo/flows/flowlib"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// Linear is the fixed linear map x = A·z (each point a column; on a batch of rows, X = Z·Aᵀ). It scales every
// volume by |det A|, so its log-determinant is log|det A| for every point. The inverse uses A⁻¹, computed once on
// the host. Both directions cost one D×D matrix product per point.
type Linear struct {
	a, aInv   [][]float64
	logAbsDet float64
}

// NewLinear returns the map z ↦ A·z. It returns an error unless a is square, finite and invertible.
func NewLinear(a [][]float64) (*Linear, error) {
	d := len(a)
	if d == 0 {
		return nil, fmt.Errorf("bijectors.NewLinear: a is empty, want a square D×D matrix")
	}
	for i, row := range a {
		if len(row) != d {
			return nil, fmt.Errorf("bijectors.NewLinear: row %d of a has %d entries, want %d (a square matrix)", i, len(row), d)
		}
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("bijectors.NewLinear: a[%d][%d] = %v, want a finite number", i, j, v)
			}
		}
	}
	inv, logAbsDet, ok := invert(a)
	if !ok {
		return nil, fmt.Errorf("bijectors.NewLinear: a is singular (det A = 0), so the map has no inverse")
	}
	return &Linear{a: clone(a), aInv: inv, logAbsDet: logAbsDet}, nil
}

// MustLinear is [NewLinear] for notebooks: it panics on error.
func MustLinear(a [][]float64) *Linear {
	l, err := NewLinear(a)
	if err != nil {
		panic(err)
	}
	return l
}

// LogAbsDet returns log|det A|.
func (l *Linear) LogAbsDet() float64 { return l.logAbsDet }

// Forward implements flowlib.Bijector.
func (l *Linear) Forward(_ *model.Scope, z *Node) (*Node, *Node) {
	flowlib.CheckPoints("bijectors.Linear.Forward", z, len(l.a))
	return DotProduct(z, ConstAs(z, transpose(l.a))), constLogDet(z, l.logAbsDet)
}

// Inverse implements flowlib.Bijector.
func (l *Linear) Inverse(_ *model.Scope, x *Node) (*Node, *Node) {
	flowlib.CheckPoints("bijectors.Linear.Inverse", x, len(l.a))
	return DotProduct(x, ConstAs(x, transpose(l.aInv))), constLogDet(x, -l.logAbsDet)
}

// Name implements flowlib.Named.
func (l *Linear) Name() string {
	return fmt.Sprintf("Linear(%dx%d, log|det|=%.4g)", len(l.a), len(l.a), l.logAbsDet)
}

// constLogDet returns v for every example of x, shape [batch].
func constLogDet(x *Node, v float64) *Node { return AddScalar(ReduceSum(ZerosLike(x), 1), v) }

// invert returns A⁻¹ and log|det A| by Gauss–Jordan elimination with partial pivoting.
func invert(a [][]float64) (inv [][]float64, logAbsDet float64, ok bool) {
	d := len(a)
	m := clone(a)
	inv = make([][]float64, d)
	for i := range inv {
		inv[i] = make([]float64, d)
		inv[i][i] = 1
	}
	for col := 0; col < d; col++ {
		p := col
		for r := col + 1; r < d; r++ {
			if math.Abs(m[r][col]) > math.Abs(m[p][col]) {
				p = r
			}
		}
		if m[p][col] == 0 {
			return nil, 0, false
		}
		m[col], m[p] = m[p], m[col]
		inv[col], inv[p] = inv[p], inv[col]
		pivot := m[col][col]
		logAbsDet += math.Log(math.Abs(pivot))
		for j := 0; j < d; j++ {
			m[col][j] /= pivot
			inv[col][j] /= pivot
		}
		for r := 0; r < d; r++ {
			if r == col || m[r][col] == 0 {
				continue
			}
			f := m[r][col]
			for j := 0; j < d; j++ {
				m[r][j] -= f * m[col][j]
				inv[r][j] -= f * inv[col][j]
			}
		}
	}
	return inv, logAbsDet, true
}

func clone(a [][]float64) [][]float64 {
	out := make([][]float64, len(a))
	for i, r := range a {
		out[i] = append([]float64(nil), r...)
	}
	return out
}

func transpose(a [][]float64) [][]float64 {
	out := make([][]float64, len(a[0]))
	for j := range out {
		out[j] = make([]float64, len(a))
		for i := range a {
			out[j][i] = a[i][j]
		}
	}
	return out
}
