package flowlib_test

import (
	"fmt"

	"github.com/flowsgo/flows/flowlib"
	"github.com/flowsgo/flows/flowlib/backend"
	"github.com/flowsgo/flows/flowlib/bijectors"
)

// A flow x = 2z + 1 with z ~ N(0, 1): by the change of variables, log p(x) = log φ((x − 1)/2) − log 2.
func ExampleModel_LogProb() {
	b, _, err := backend.Choose()
	if err != nil {
		panic(err)
	}
	affine, err := bijectors.FixedAffine([]float64{2}, []float64{1})
	if err != nil {
		panic(err)
	}
	model := flowlib.NewModel(b, flowlib.NewFlow(1, affine))
	logp, err := model.LogProb([][]float64{{1}, {3}})
	if err != nil {
		panic(err)
	}
	fmt.Printf("log p(1) = %.4f, log p(3) = %.4f\n", logp[0], logp[1])
	// Output: log p(1) = -1.6121, log p(3) = -2.1121
}
