package bijectors

import (
	"fmt"
	"slices"

	"github.com/flowsgo/flows/flowlib"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// Permute reorders coordinates: x_i = z_{perm[i]}. A permutation preserves volume, so its log-determinant is 0.
// Stacked between coupling or autoregressive layers it lets every coordinate be transformed by some layer.
type Permute struct {
	perm []int
}

// NewPermute returns the permutation x_i = z_{perm[i]}. It returns an error unless perm holds each of 0…D−1 once.
func NewPermute(perm []int) (*Permute, error) {
	seen := make([]bool, len(perm))
	for i, p := range perm {
		if p < 0 || p >= len(perm) || seen[p] {
			return nil, fmt.Errorf("bijectors.NewPermute: perm = %v is not a permutation of 0…%d (entry %d)", perm, len(perm)-1, i)
		}
		seen[p] = true
	}
	if len(perm) == 0 {
		return nil, fmt.Errorf("bijectors.NewPermute: perm is empty")
	}
	return &Permute{perm: slices.Clone(perm)}, nil
}

// NewReverse returns the permutation that reverses the order of dim coordinates.
func NewReverse(dim int) *Permute {
	perm := make([]int, dim)
	for i := range perm {
		perm[i] = dim - 1 - i
	}
	p, err := NewPermute(perm)
	if err != nil {
		panic(err)
	}
	return p
}

// matrix returns the [D, D] matrix P with z·P = z permuted (P[perm[i]][i] = 1), or its transpose (the inverse).
func (p *Permute) matrix(x *Node, inverse bool) *Node {
	d := len(p.perm)
	m := make([][]float64, d)
	for i := range m {
		m[i] = make([]float64, d)
	}
	for i, src := range p.perm {
		if inverse {
			m[i][src] = 1
		} else {
			m[src][i] = 1
		}
	}
	return ConstAs(x, m)
}

// Forward implements flowlib.Bijector. (A product with a one-hot matrix: its gradient is cheap on every backend,
// where Gather's and Slice's are not on the pure-Go one.)
func (p *Permute) Forward(_ *model.Scope, z *Node) (*Node, *Node) {
	flowlib.CheckPoints("bijectors.Permute.Forward", z, len(p.perm))
	return DotProduct(z, p.matrix(z, false)), constLogDet(z, 0)
}

// Inverse implements flowlib.Bijector.
func (p *Permute) Inverse(_ *model.Scope, x *Node) (*Node, *Node) {
	flowlib.CheckPoints("bijectors.Permute.Inverse", x, len(p.perm))
	return DotProduct(x, p.matrix(x, true)), constLogDet(x, 0)
}

// Name implements flowlib.Named.
func (p *Permute) Name() string { return fmt.Sprintf("Permute(%v)", p.perm) }
