package flows

import (
	"fmt"

	"github.com/flowsgo/flows/flowlib"
	"github.com/flowsgo/flows/flowlib/bijectors"
)

func init() {
	register("realnvp", buildRealNVP)
	register("nice", buildNICE)
}

// buildRealNVP stacks Layers affine coupling layers; layer i keeps the coordinates j with (i + MaskShift + j)
// even, so consecutive layers transform complementary halves.
func buildRealNVP(s Spec) (*flowlib.Flow, error) {
	if err := needTwoDims(s); err != nil {
		return nil, err
	}
	layers := make([]flowlib.Bijector, s.Layers)
	for i := range layers {
		c := bijectors.NewAffineCoupling(bijectors.AlternatingMask(s.Dim, i+s.MaskShift)).
			WithConditioner(bijectors.Conditioner{Hidden: s.Hidden, Activation: s.Activation, HeadInit: s.HeadInit})
		if s.ScaleBound > 0 {
			c = c.ScaleBound(s.ScaleBound)
		}
		layers[i] = c
	}
	return flowlib.NewFlow(s.Dim, layers...), nil
}

// buildNICE stacks Layers additive coupling layers and ends with a trainable diagonal scaling.
func buildNICE(s Spec) (*flowlib.Flow, error) {
	if err := needTwoDims(s); err != nil {
		return nil, err
	}
	layers := make([]flowlib.Bijector, 0, s.Layers+1)
	for i := range s.Layers {
		layers = append(layers, bijectors.NewAdditiveCoupling(bijectors.AlternatingMask(s.Dim, i+s.MaskShift)).
			WithConditioner(bijectors.Conditioner{Hidden: s.Hidden, Activation: s.Activation, HeadInit: s.HeadInit}))
	}
	layers = append(layers, bijectors.NewAffine(s.Dim))
	return flowlib.NewFlow(s.Dim, layers...), nil
}

// needTwoDims rejects coupling architectures in 1D, where there is no half to keep.
func needTwoDims(s Spec) error {
	if s.Dim < 2 {
		return fmt.Errorf("flows: %s needs Spec.Dim ≥ 2 (a coupling layer keeps some coordinates and transforms the "+
			"others), got %d", s.Arch, s.Dim)
	}
	return nil
}
