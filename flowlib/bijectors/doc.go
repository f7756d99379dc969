// Package bijectors holds flowlib's invertible building blocks, one per file. Each implements flowlib.Bijector:
// Forward maps base → data and returns log|det ∂f/∂z| per example; Inverse maps data → base and returns
// log|det ∂f⁻¹/∂x|. Shapes are [batch, D] in and out, log-determinants [batch].
//
// Elementwise: [Affine], [SinhArcsinh], [Monotone] (any increasing function, inverted numerically) and its
// chapter-1 instance [SineWarp], [ActNorm]. Linear: [Linear], [Permute]. Coupling: [AffineCoupling] (RealNVP),
// additive coupling (NICE), [FuncCoupling] (hand-written scale and shift), [SplineCoupling] (neural spline flows).
// Autoregressive: [MADE], [MaskedAutoregressive] (MAF, IAF, spline MAF). Continuous: [CNF].
//
// Layers with trainable parameters start as the identity map (zero log-scales, zero-initialised last layers), so a
// freshly built flow is exactly its base distribution.
//
//	affine := bijectors.NewAffine(2)                          // x = z·exp(s) + t, learnable s, t
//	warp := bijectors.MustSineWarp(0.45)                      // x = z + 0.45·sin 2z, inverted numerically
//	coupling := bijectors.NewAffineCoupling([]bool{true, false}).Hidden(64, 64)
package bijectors

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph"
)

// maskConst returns the mask as a [1, D] constant of x's dtype (broadcasting on the pure-Go backend needs equal
// ranks).
func maskConst(x *Node, mask []bool) *Node {
	m := make([]float64, len(mask))
	for i, keep := range mask {
		if keep {
			m[i] = 1
		}
	}
	return ConstAs(x, [][]float64{m})
}

// sumPerExample sums a [batch, D] node over D.
func sumPerExample(x *Node) *Node { return ReduceSum(x, 1) }

func checkMask(who string, mask []bool) {
	kept := 0
	for _, k := range mask {
		if k {
			kept++
		}
	}
	if len(mask) < 2 || kept == 0 || kept == len(mask) {
		panic(fmt.Sprintf("%s: mask must have ≥ 2 entries with at least one kept (true) and one transformed (false), got %v",
			who, mask))
	}
}

// AlternatingMask returns the mask of coupling layer i in a stack: in D dimensions, layer i keeps the
// dimensions j with (j + i) even, so consecutive layers transform complementary halves.
func AlternatingMask(dim, i int) []bool {
	m := make([]bool, dim)
	for j := range m {
		m[j] = (j+i)%2 == 0
	}
	return m
}
