package bijectors

import (
	"math"
	"testing"

	"github.com/flowsgo/flows/flowlib"
	"github.com/flowsgo/flows/flowlib/flowtest"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// TestActNormDataInit: the first training graph sets the shift to the batch mean and the log-scale to the log of the
// batch standard deviation, so that batch comes out standardized; outside training the layer is left alone.
func TestActNormDataInit(t *testing.T) {
	b := flowtest.Backend(t)
	x := [][]float64{{1, 10}, {3, 14}, {5, 18}, {7, 22}} // means (4, 16), population stds (√5, 2√5)
	layer := NewActNorm(2)
	store := model.NewStore()
	run := func(training bool) [][]float64 {
		exec, err := model.NewExec(b, store, func(scope *model.Scope, x *Node) *Node {
			scope.Store().SetTraining(x.Graph(), training)
			z, _ := layer.Inverse(scope, x)
			return z
		})
		if err != nil {
			t.Fatal(err)
		}
		res, err := exec.Call(flowlib.ToTensor(x, 0, 2))
		if err != nil {
			t.Fatal(err)
		}
		return flowlib.FromTensor(res[0])
	}
	if z := run(false); z[0][0] != 1 || z[3][1] != 22 {
		t.Errorf("outside training a fresh ActNorm must be the identity, got %v", z)
	}
	z := run(true)
	for j := range 2 {
		mean, sq := 0.0, 0.0
		for i := range z {
			mean += z[i][j] / 4
			sq += z[i][j] * z[i][j] / 4
		}
		if math.Abs(mean) > 1e-5 || math.Abs(sq-1) > 1e-4 {
			t.Errorf("column %d after data init: mean %.6f, mean square %.6f, want 0 and 1 (tol 1e-5, 1e-4)", j, mean, sq)
		}
	}
	// The initialisation happens once: a second training batch is transformed with the same parameters.
	x = [][]float64{{4, 16}, {4 + math.Sqrt(5), 16}}
	if z := run(true); math.Abs(z[0][0]) > 1e-5 || math.Abs(z[1][0]-1) > 1e-4 {
		t.Errorf("second batch: got %v, want (0, …) and (1, …) from the first batch's statistics", z)
	}
}
