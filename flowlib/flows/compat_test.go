package flows

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/flowsgo/flows/flowlib/flowtest"
)

// TestLoadsFilesSavedBeforeThePort loads one small trained model of every architecture saved by flowlib on GoMLX
// v0.26 (testdata/v0.26, written by the last main before the v0.28 port) and checks that it gives the log-densities
// it gave then: a checkpoint must load right or be refused, never load wrong.
func TestLoadsFilesSavedBeforeThePort(t *testing.T) {
	data, err := os.ReadFile("testdata/v0.26/logprob.json")
	if err != nil {
		t.Fatal(err)
	}
	var want struct {
		Points  [][]float64          `json:"points"`
		LogProb map[string][]float64 `json:"logprob"`
	}
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	if len(want.LogProb) != len(Archs()) {
		t.Errorf("testdata has %d architectures, flows has %d (%v)", len(want.LogProb), len(Archs()), Archs())
	}
	b := flowtest.Backend(t)
	for arch, lps := range want.LogProb {
		t.Run(arch, func(t *testing.T) {
			m, err := Load(b, filepath.Join("testdata/v0.26", arch+".flow"))
			if err != nil {
				t.Fatal(err)
			}
			got, err := m.LogProb(want.Points)
			if err != nil {
				t.Fatal(err)
			}
			// float32 arithmetic, possibly summed in another order: 1e-4 nats.
			for i := range got {
				if d := math.Abs(got[i] - lps[i]); !(d <= 1e-4) {
					t.Errorf("point %v: log p = %.6f, saved model gave %.6f (tol 1e-4)", want.Points[i], got[i], lps[i])
				}
			}
		})
	}
}
