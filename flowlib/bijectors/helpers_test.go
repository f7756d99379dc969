package bijectors

import (
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/gomlx/gomlx/backends"
	_ "github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Helpers of the chapter-6 tests (MADE, MAF/IAF, splines, CNF); named ch6* so they cannot collide with others.

var (
	ch6BackendOnce sync.Once
	ch6BackendVal  backends.Backend
	ch6BackendErr  error
)

// ch6Backend returns the pure-Go backend with parallelism=-1 (the configuration that does not deadlock on 2 cores).
func ch6Backend(t testing.TB) backends.Backend {
	t.Helper()
	ch6BackendOnce.Do(func() { ch6BackendVal, ch6BackendErr = backends.NewWithConfig("go:parallelism=-1") })
	if ch6BackendErr != nil {
		t.Fatal(ch6BackendErr)
	}
	return ch6BackendVal
}

// ch6Perturb adds N(0, std²) noise to every trainable float32 variable of ctx.
func ch6Perturb(t testing.TB, ctx *context.Context, seed uint64, std float64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 99))
	for v := range ctx.IterVariables() {
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
