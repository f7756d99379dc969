package flows

import (
	"fmt"

	"github.com/flowsgo/flows/flowlib"
	"github.com/flowsgo/flows/flowlib/bijectors"
)

func init() {
	register("maf", buildMAF)
	register("iaf", buildIAF)
}

// MAF starts a masked autoregressive flow builder (Papamakarios et al. 2017, arXiv:1705.07057): Layers affine
// autoregressive layers, each a MADE with the given hidden widths, with the coordinate order reversed between
// layers. Density in one pass per layer; sampling in D passes per layer.
func MAF(dim int) *Builder { return New("maf", dim) }

// IAF starts an inverse autoregressive flow builder (Kingma et al. 2016, arXiv:1606.04934): MAF's layers inverted,
// so sampling is one pass per layer and density D passes per layer.
func IAF(dim int) *Builder { return New("iaf", dim) }

// buildMAF stacks Layers MAF layers with bijectors.NewReverse between consecutive ones.
func buildMAF(s Spec) (*flowlib.Flow, error) {
	return autoregressiveStack(s, func() flowlib.Bijector { return mafLayer(s) })
}

// buildIAF is buildMAF with every autoregressive layer inverted.
func buildIAF(s Spec) (*flowlib.Flow, error) {
	return autoregressiveStack(s, func() flowlib.Bijector { return flowlib.Invert(mafLayer(s)) })
}

func mafLayer(s Spec) *bijectors.MaskedAutoregressive {
	m := bijectors.NewMAF(s.Dim).WithConditioner(bijectors.Conditioner{Hidden: s.Hidden, Activation: s.Activation})
	if s.ScaleBound > 0 {
		m = m.ScaleBound(s.ScaleBound)
	}
	return m
}

// autoregressiveStack returns layer(), Reverse, layer(), Reverse, …, layer(): Layers autoregressive layers, so each
// coordinate is conditioned on the others in some layer.
func autoregressiveStack(s Spec, layer func() flowlib.Bijector) (*flowlib.Flow, error) {
	bs := make([]flowlib.Bijector, 0, 2*s.Layers-1)
	for i := range s.Layers {
		if i > 0 && s.Dim > 1 {
			bs = append(bs, bijectors.NewReverse(s.Dim))
		}
		bs = append(bs, layer())
	}
	return flowlib.NewFlow(s.Dim, bs...), nil
}

// splineDefaults fills in the spline fields of a spec (8 bins on [−4, 4]) and checks them.
func splineDefaults(s *Spec) error {
	if s.Bins == 0 {
		s.Bins = DefaultBins
	}
	if s.Bound == 0 {
		s.Bound = DefaultBound
	}
	if s.Bins < 2 {
		return fmt.Errorf("flows: %s: Spec.Bins = %d, want ≥ 2 (0 = %d)", s.Arch, s.Bins, DefaultBins)
	}
	if !(s.Bound > 0) || s.Bound > 1e6 {
		return fmt.Errorf("flows: %s: Spec.Bound = %v, want a finite bound > 0 (0 = %g)", s.Arch, s.Bound, DefaultBound)
	}
	return nil
}
