// Package flows builds flow architectures from a [Spec] and saves and loads trained models.
//
//	model, err := flows.RealNVP(2).Layers(6).Hidden(64, 64).Model(backend)
//	hist, err := fit.Fit(model, train, fit.Options{Steps: 2000})
//	err = flows.Save(model, "moons.flow")
//	again, err := flows.Load(backend, "moons.flow")
//
// Architectures: "realnvp" ([RealNVP]), "nice" ([NICE]), "maf" ([MAF]), "iaf" ([IAF]), "nsf" ([NSF], spline
// coupling), "nsf-ar" ([NSFAutoregressive]) and "cnf" ([CNF], a continuous flow). Every architecture starts as the
// identity map, so an untrained model is exactly its N(0, I) base.
package flows

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/flowsgo/flows/flowlib"
	"github.com/flowsgo/flows/flowlib/nn"
	"github.com/gomlx/compute"
)

// Spec describes an architecture completely: building the same Spec twice gives the same layers (and so the same
// variable names and shapes), which is what lets [Load] rebuild a saved model.
type Spec struct {
	Arch       string  `json:"arch"`                  // one of Archs()
	Dim        int     `json:"dim"`                   // dimension of the points
	Layers     int     `json:"layers"`                // number of flow layers
	Hidden     []int   `json:"hidden"`                // hidden widths of each layer's network
	Activation string  `json:"activation"`            // hidden activation, one of nn.Activations
	Bins       int     `json:"bins,omitempty"`        // spline bins (neural spline flows)
	Bound      float64 `json:"bound,omitempty"`       // spline interval [−Bound, Bound]
	Steps      int     `json:"steps,omitempty"`       // ODE solver steps (continuous flows)
	ScaleBound float64 `json:"scale_bound,omitempty"` // initial bound on coupling log-scales (0 = default 1)
	// HeadInit > 0 starts coupling conditioners' output layers random, U(±HeadInit/√fan_in), instead of at zero
	// (RealNVP, NICE); the flow then does not start as the identity.
	HeadInit float64 `json:"head_init,omitempty"`
	// MaskShift: coupling layer i uses AlternatingMask(Dim, i+MaskShift) (RealNVP, NICE; 0 or 1). The builders
	// set 1 (see [RealNVP]); 0, the zero value, is the order of models saved before it became the default.
	MaskShift int `json:"mask_shift,omitempty"`
}

// builders maps an architecture name to its constructor; each architecture's file registers itself in init.
var builders = map[string]func(Spec) (*flowlib.Flow, error){}

func register(arch string, build func(Spec) (*flowlib.Flow, error)) { builders[arch] = build }

// Archs lists the architecture names [Build] accepts.
func Archs() []string {
	names := make([]string, 0, len(builders))
	for k := range builders {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// Build returns the flow a spec describes, or an error naming the field that is out of range.
func Build(s Spec) (*flowlib.Flow, error) {
	build, ok := builders[strings.ToLower(s.Arch)]
	if !ok {
		return nil, fmt.Errorf("flows: unknown architecture %q, want one of %v", s.Arch, Archs())
	}
	if s.Dim < 1 {
		return nil, fmt.Errorf("flows: Spec.Dim = %d, want ≥ 1", s.Dim)
	}
	if s.Layers < 1 {
		return nil, fmt.Errorf("flows: Spec.Layers = %d, want ≥ 1", s.Layers)
	}
	for _, w := range s.Hidden {
		if w < 1 {
			return nil, fmt.Errorf("flows: Spec.Hidden = %v, want positive widths", s.Hidden)
		}
	}
	if !slices.Contains(nn.Activations, strings.ToLower(s.Activation)) {
		return nil, fmt.Errorf("flows: Spec.Activation = %q, want one of %v", s.Activation, nn.Activations)
	}
	if s.MaskShift < 0 || s.MaskShift > 1 {
		return nil, fmt.Errorf("flows: Spec.MaskShift = %d, want 0 or 1", s.MaskShift)
	}
	if s.HeadInit < 0 {
		return nil, fmt.Errorf("flows: Spec.HeadInit = %v, want ≥ 0 (0 = zero heads)", s.HeadInit)
	}
	if s.ScaleBound < 0 {
		return nil, fmt.Errorf("flows: Spec.ScaleBound = %v, want > 0 (0 = default)", s.ScaleBound)
	}
	return build(s)
}

// NewModel builds the spec's flow and wraps it in a model on backend, remembering the spec for [Save].
func NewModel(backend compute.Backend, s Spec) (*flowlib.Model, error) {
	flow, err := Build(s)
	if err != nil {
		return nil, err
	}
	m := flowlib.NewModel(backend, flow)
	m.Spec = s
	return m, nil
}

// Builder sets a spec's fields one by one, GoMLX style: flows.RealNVP(2).Layers(6).Hidden(64, 64).Model(backend).
type Builder struct{ spec Spec }

// New starts a builder for any architecture, with that architecture's defaults: 6 layers, hidden (64, 64),
// ReLU; RealNVP and NICE with MaskShift 1; NSF and NSF-AR with DefaultBins bins on [−DefaultBound, DefaultBound];
// CNF with 1 block, tanh and DefaultSteps RK4 steps. So New(name, dim) is the same builder as the named one
// (New("cnf", 2) is CNF(2)). An unknown name is reported by Build.
func New(arch string, dim int) *Builder {
	s := Spec{Arch: arch, Dim: dim, Layers: 6, Hidden: []int{64, 64}, Activation: "relu"}
	switch strings.ToLower(arch) {
	case "realnvp", "nice":
		s.MaskShift = 1
	case "nsf", "nsf-ar":
		s.Bins, s.Bound = DefaultBins, DefaultBound
	case "cnf":
		s.Layers, s.Activation, s.Steps = 1, "tanh", DefaultSteps
	}
	return &Builder{spec: s}
}

// RealNVP starts a RealNVP builder: affine coupling layers with alternating masks. Layer i keeps coordinate j
// when i + j is odd (MaskShift 1), so in 2D the density direction, which applies the last layer first, starts by
// moving x₁ as a function of x₀. On two moons that is the easier conditional (at a given x₀ the moons sit at up to
// two heights, at a given x₁ at up to four horizontal positions), and it made training far less seed-dependent:
// over ten seeds of chapter 5's recipe on XLA, train NLL at most 1.18 against 1.19, and with plain Adam at 1e-3
// no run above 1.26, against one of five at 1.43 with the other order (bench/README.md, issue #14).
func RealNVP(dim int) *Builder { return New("realnvp", dim) }

// NICE starts a NICE builder: additive (volume-preserving) coupling layers with alternating masks in RealNVP's
// order (MaskShift 1, see [RealNVP]), and a final
// trainable elementwise scaling (NICE's diagonal scaling layer) so the flow can change volume at all.
func NICE(dim int) *Builder { return New("nice", dim) }

// Layers sets the number of flow layers.
func (b *Builder) Layers(n int) *Builder { b.spec.Layers = n; return b }

// Hidden sets the hidden widths of every layer's network.
func (b *Builder) Hidden(widths ...int) *Builder { b.spec.Hidden = slices.Clone(widths); return b }

// Activation sets the hidden activation.
func (b *Builder) Activation(name string) *Builder { b.spec.Activation = name; return b }

// Bins sets the number of spline bins (neural spline flows).
func (b *Builder) Bins(n int) *Builder { b.spec.Bins = n; return b }

// Bound sets the spline interval [−bound, bound] (neural spline flows).
func (b *Builder) Bound(bound float64) *Builder { b.spec.Bound = bound; return b }

// Steps sets the number of ODE solver steps (continuous flows).
func (b *Builder) Steps(n int) *Builder { b.spec.Steps = n; return b }

// ScaleBound sets the bound on coupling log-scales.
func (b *Builder) ScaleBound(bound float64) *Builder { b.spec.ScaleBound = bound; return b }

// HeadInit sets Spec.HeadInit: random coupling heads of this scale instead of zero ones.
func (b *Builder) HeadInit(scale float64) *Builder { b.spec.HeadInit = scale; return b }

// MaskShift sets Spec.MaskShift (0 or 1; the RealNVP and NICE builders start at 1).
func (b *Builder) MaskShift(shift int) *Builder { b.spec.MaskShift = shift; return b }

// Spec returns the spec built so far.
func (b *Builder) Spec() Spec { s := b.spec; s.Hidden = slices.Clone(s.Hidden); return s }

// Build returns the flow.
func (b *Builder) Build() (*flowlib.Flow, error) { return Build(b.Spec()) }

// Model returns a fresh model of the flow on backend.
func (b *Builder) Model(backend compute.Backend) (*flowlib.Model, error) {
	return NewModel(backend, b.Spec())
}

// MustModel is [Builder.Model] for notebooks: it panics on error.
func (b *Builder) MustModel(backend compute.Backend) *flowlib.Model {
	m, err := b.Model(backend)
	if err != nil {
		panic(err)
	}
	return m
}
