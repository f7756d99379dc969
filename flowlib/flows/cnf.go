package flows

import (
	"fmt"
	"strings"

	"github.com/flowsgo/flows/flowlib"
	"github.com/flowsgo/flows/flowlib/bijectors"
)

// DefaultSteps is the number of RK4 steps of a continuous flow when Spec.Steps is 0.
const DefaultSteps = 8

// MaxODESteps bounds Layers·Steps of a continuous flow. The solver is unrolled into the graph, so compiling costs
// time linear in it (about a second per 64 steps of a small field on one core); without a bound a spec, or a
// damaged file's header, asking for a billion steps would hang graph building. Build enforces it, so every model
// that can be built and saved can be loaded.
const MaxODESteps = 4096

func init() { register("cnf", buildCNF) }

// CNF starts a continuous normalizing flow builder (FFJORD, Grathwohl et al. 2018, arXiv:1810.01367): Layers
// blocks (default 1), each an ODE whose velocity field is a tanh MLP (default hidden 64, 64) integrated by RK4 with
// Steps fixed steps (default 8), with the exact Jacobian trace. Both directions cost 4·Steps field evaluations per
// block.
func CNF(dim int) *Builder { return New("cnf", dim) }

// buildCNF stacks Layers CNF blocks. The field's Jacobian is written out for tanh, so other activations are refused.
func buildCNF(s Spec) (*flowlib.Flow, error) {
	if strings.ToLower(s.Activation) != "tanh" {
		return nil, fmt.Errorf("flows: cnf: Spec.Activation = %q, want \"tanh\" (the velocity field's Jacobian trace is "+
			"computed analytically for a tanh MLP)", s.Activation)
	}
	if len(s.Hidden) == 0 {
		return nil, fmt.Errorf("flows: cnf: Spec.Hidden is empty, want at least one hidden layer")
	}
	if s.Steps < 0 {
		return nil, fmt.Errorf("flows: cnf: Spec.Steps = %d, want ≥ 1 (0 = %d)", s.Steps, DefaultSteps)
	}
	steps := s.Steps
	if steps == 0 {
		steps = DefaultSteps
	}
	if steps > MaxODESteps/s.Layers {
		return nil, fmt.Errorf("flows: cnf: Spec.Layers × Spec.Steps = %d × %d, want at most MaxODESteps = %d",
			s.Layers, steps, MaxODESteps)
	}
	blocks := make([]flowlib.Bijector, s.Layers)
	for i := range blocks {
		blocks[i] = bijectors.NewCNF(s.Dim).Hidden(s.Hidden...).Steps(steps)
	}
	return flowlib.NewFlow(s.Dim, blocks...), nil
}
