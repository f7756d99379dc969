package compare

import (
	"bytes"
	"math"
	"testing"

	"github.com/flowsgo/flows/flowlib/fit"
	"github.com/flowsgo/flows/flowlib/precomputed"
	"github.com/gomlx/compute"
)

// The stored run's settings, as in precomputed/ch6/README.md.
var storedConfig = Config{Steps: 500, LearningRate: 3e-3, CosineDecay: true, HeldOut: 5000, Seed: 1}

// TestStoredComparison checks that chapter 6's stored files still agree with the code: the table parses, every row
// has its model, and every stored model, loaded, scores the table's held-out NLL on the held-out set Prepare
// regenerates (tolerance 6e-4: the table rounds to 3 decimals). The entropy column is recomputed too.
func TestStoredComparison(t *testing.T) {
	b, err := compute.NewWithConfig("go:parallelism=-1")
	if err != nil {
		t.Fatal(err)
	}
	results, err := LoadFS(b, precomputed.Chapter6(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 14 {
		t.Fatalf("got %d rows, want 14 (7 models × 2 data sets)", len(results))
	}
	data := map[string]*Data{}
	for _, r := range results {
		if r.Trained == nil {
			t.Errorf("%s on %s: no stored model", r.Model, r.Dataset)
			continue
		}
		if r.Steps != storedConfig.Steps || r.Err != "" || r.Params != r.Trained.NumParams() {
			t.Errorf("%s on %s: steps %d, params %d (model has %d), error %q", r.Model, r.Dataset, r.Steps, r.Params,
				r.Trained.NumParams(), r.Err)
		}
		d := data[r.Dataset]
		if d == nil {
			if d, err = Prepare(r.Dataset, storedConfig.HeldOut, storedConfig.Seed); err != nil {
				t.Fatal(err)
			}
			data[r.Dataset] = d
		}
		got, err := fit.MeanNLL(r.Trained, d.HeldOut)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-r.HeldOutNLL) > 6e-4 {
			t.Errorf("%s on %s: held-out NLL of the stored model: got %.4f, want %.3f (tol 6e-4)", r.Model, r.Dataset, got, r.HeldOutNLL)
		}
		if math.Abs(d.Entropy-r.Entropy) > 6e-4 {
			t.Errorf("%s: entropy: got %.4f, want %.3f (tol 6e-4)", r.Dataset, d.Entropy, r.Entropy)
		}
	}

	f, err := precomputed.Chapter6().Open("asymmetry.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ts, err := ReadTimingsCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 8 {
		t.Errorf("asymmetry.csv: got %d rows, want 8 (MAF and IAF at D = 2, 4, 8, 16)", len(ts))
	}
}

// TestStoredRetrain retrains one stored row (RealNVP on moons) with the stored settings: its held-out NLL must land
// within 0.05 of the table's. The same backend and code give the same digits; the tolerance leaves room for
// rounding differences that training amplifies, and fails on a change of defaults that moves the result (then
// regenerate the files, as precomputed/ch6/README.md says).
func TestStoredRetrain(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for 500 steps")
	}
	b, err := compute.NewWithConfig("go:parallelism=-1")
	if err != nil {
		t.Fatal(err)
	}
	f, err := precomputed.Chapter6().Open("table.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	stored, err := ReadCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	want := Find(stored, "RealNVP", "moons")
	if want == nil {
		t.Fatal("no RealNVP row on moons")
	}
	var model Model
	for _, m := range Models("small") {
		if m.Name == "RealNVP" {
			model = m
		}
	}
	data, err := Prepare("moons", storedConfig.HeldOut, storedConfig.Seed)
	if err != nil {
		t.Fatal(err)
	}
	got := One(b, model, data, storedConfig)
	if got.Err != "" {
		t.Fatal(got.Err)
	}
	if math.Abs(got.HeldOutNLL-want.HeldOutNLL) > 0.05 {
		t.Errorf("RealNVP on moons, retrained: held-out NLL %.4f, stored %.3f (tol 0.05)", got.HeldOutNLL, want.HeldOutNLL)
	}
	if got.Params != want.Params {
		t.Errorf("RealNVP: %d parameters, stored %d", got.Params, want.Params)
	}
}

// TestReadCSVRoundTrip reads back what WriteCSV writes, including an error cell and missing timings.
func TestReadCSVRoundTrip(t *testing.T) {
	in := []Result{
		{Model: "NSF", Dataset: "moons", Params: 10, Steps: 5, TrainNLL: 1.5, HeldOutNLL: 1.25, Entropy: 1.125, Gap: 0.125,
			TrainTime: 2e9, SampleTime: 3e8, DensityTime: 4e8, TimingPoints: 100},
		{Model: "CNF", Dataset: "spirals", Params: 3, Steps: 5, TrainNLL: math.NaN(), HeldOutNLL: math.NaN(),
			Entropy: math.NaN(), Gap: math.NaN(), TimingPoints: -1, Err: `step 3: "NaN", sorry`},
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, in); err != nil {
		t.Fatal(err)
	}
	out, err := ReadCSV(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 {
		t.Fatalf("got %d rows, want 2", len(out))
	}
	for i := range in {
		a, b := in[i].Row(), out[i].Row()
		for j := range a {
			if a[j] != b[j] {
				t.Errorf("row %d, column %q: wrote %q, read back %q", i, Header[j], a[j], b[j])
			}
		}
	}
	if _, err := ReadCSV(bytes.NewBufferString("model,dataset\nNSF,moons\n")); err == nil {
		t.Error("ReadCSV accepted a table with the wrong header")
	}
}
