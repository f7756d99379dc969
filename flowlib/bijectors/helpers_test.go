package bijectors

import (
	"math/rand/v2"
	"testing"

	_ "github.com/gomlx/compute/gobackend"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// Helpers of the chapter-6 tests (MADE, MAF/IAF, splines, CNF); named ch6* so they cannot collide with others.

// ch6Perturb adds N(0, std²) noise to every trainable float32 variable of scope.
func ch6Perturb(t testing.TB, store *model.Store, seed uint64, std float64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 99))
	for v := range store.IterVariables() {
		if !v.Trainable {
			continue
		}
		val, err := v.Value()
		if err != nil {
			t.Fatal(err)
		}
		flat, err := tensors.CopyFlatData[float32](val)
		if err != nil {
			continue
		}
		for i := range flat {
			flat[i] += float32(std * rng.NormFloat64())
		}
		if err := v.SetValue(tensors.FromFlatDataAndDimensions(flat, v.Shape().Dimensions...)); err != nil {
			t.Fatal(err)
		}
	}
}
