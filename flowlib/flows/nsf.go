package flows

import (
	"github.com/flowsgo/flows/flowlib"
	"github.com/flowsgo/flows/flowlib/bijectors"
)

// Defaults of the neural spline flows when Spec.Bins or Spec.Bound is 0: 8 bins on [−4, 4], which covers
// standardized data to four standard deviations (outside, the layers are the identity).
const (
	DefaultBins  = 8
	DefaultBound = 4.0
)

func init() {
	register("nsf", buildNSF)
	register("nsf-ar", buildNSFAR)
}

// NSF starts a neural spline flow builder (Durkan et al. 2019, arXiv:1906.04032), coupling version: Layers
// rational-quadratic spline coupling layers with alternating masks, 8 bins on [−4, 4] unless Bins and Bound say
// otherwise. Both directions cost one network pass per layer.
func NSF(dim int) *Builder { return New("nsf", dim) }

// NSFAutoregressive starts an autoregressive neural spline flow builder ("nsf-ar"): MAF's structure with spline
// transformers. Density in one pass per layer; sampling in D passes per layer.
func NSFAutoregressive(dim int) *Builder { return New("nsf-ar", dim) }

func buildNSF(s Spec) (*flowlib.Flow, error) {
	if err := needTwoDims(s); err != nil {
		return nil, err
	}
	if err := splineDefaults(&s); err != nil {
		return nil, err
	}
	layers := make([]flowlib.Bijector, s.Layers)
	for i := range layers {
		layers[i] = bijectors.NewSplineCoupling(bijectors.AlternatingMask(s.Dim, i), s.Bins, s.Bound).
			WithConditioner(bijectors.Conditioner{Hidden: s.Hidden, Activation: s.Activation})
	}
	return flowlib.NewFlow(s.Dim, layers...), nil
}

func buildNSFAR(s Spec) (*flowlib.Flow, error) {
	if err := splineDefaults(&s); err != nil {
		return nil, err
	}
	return autoregressiveStack(s, func() flowlib.Bijector {
		return bijectors.NewSplineAutoregressive(s.Dim, s.Bins, s.Bound).
			WithConditioner(bijectors.Conditioner{Hidden: s.Hidden, Activation: s.Activation})
	})
}
