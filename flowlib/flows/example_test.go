package flows_test

import (
	"fmt"

	"github.com/flowsgo/flows/flowlib/backend"
	"github.com/flowsgo/flows/flowlib/flows"
)

// Every architecture starts as the identity map, so an untrained model is exactly its N(0, I) base: at the
// origin, log p(0, 0) = −log 2π ≈ −1.8379 for each of them.
func Example() {
	b, _, err := backend.Choose()
	if err != nil {
		panic(err)
	}
	for _, arch := range flows.Archs() {
		model, err := flows.New(arch, 2).Layers(2).Hidden(16).Model(b)
		if err != nil {
			panic(err)
		}
		logp, err := model.LogProb([][]float64{{0, 0}})
		if err != nil {
			panic(err)
		}
		fmt.Printf("%-8s log p(0, 0) = %.4f\n", arch, logp[0])
	}
	// Output:
	// cnf      log p(0, 0) = -1.8379
	// iaf      log p(0, 0) = -1.8379
	// maf      log p(0, 0) = -1.8379
	// nice     log p(0, 0) = -1.8379
	// nsf      log p(0, 0) = -1.8379
	// nsf-ar   log p(0, 0) = -1.8379
	// realnvp  log p(0, 0) = -1.8379
}
