// Package flowlib is the core vocabulary of normalizing flows on GoMLX: the [Bijector] contract, its composition
// ([Chain]) and inversion ([Invert]), the [Flow] (a base distribution pushed through a bijector), the
// [StandardNormal] base, and the [Model] that holds a flow's trained variables on the host.
//
// A flow models data x as x = f(z) with z drawn from a simple base density p_Z and f invertible. Its log-density is
// exact, by the change of variables formula:
//
//	log p_X(x) = log p_Z(f⁻¹(x)) + log|det ∂f⁻¹/∂x|
//
// # The contract
//
// Every bijector implements two graph functions on tensors of shape [batch, D]:
//
//   - Forward(scope, z) returns (x, logDet) with x = f(z) and logDet = log|det ∂f/∂z|, of shape [batch].
//     This is the sampling direction: base → data.
//   - Inverse(scope, x) returns (z, logDet) with z = f⁻¹(x) and logDet = log|det ∂f⁻¹/∂x| = −(forward logDet at z).
//     This is the density direction: data → base.
//
// Shapes are kept: the output has the input's shape. Each bijector's doc says which direction is cheap (affine
// coupling: both; MAF: Inverse, IAF: Forward; a numerically inverted [bijectors.Monotone]: Forward).
//
// Parameters live in the GoMLX [model.Store] behind the [model.Scope] passed in, under the bijector's own scope;
// [Chain] gives element i the scope "layer_i". Bijectors enter sub-scopes with Scope.At, which may revisit a scope,
// so Forward and Inverse of the same bijector, in one graph or in several, use the same variables.
//
// # Order
//
// Chain(b0, b1, b2) maps base to data as x = b2(b1(b0(z))): Forward applies b0 first; Inverse applies b2⁻¹ first.
// This reads like the data flows through the list, which is the order a notebook draws its filmstrips in.
//
// # Usage
//
//	flow := flowlib.NewFlow(2, bijectors.NewAffine(2), bijectors.NewAffineCoupling(mask, conditioner))
//	model := flowlib.NewModel(backend, flow)
//	logp, err := model.LogProb(points) // host side: [][]float64 in, []float64 out
//	xs, err := model.Sample(1000, 42)
//
// Architectures (RealNVP, NICE, MAF, ...) are built by package flows; training is package fit.
package flowlib
