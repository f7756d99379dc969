package compare

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend"
)

func TestPrepareEntropies(t *testing.T) {
	for name, want := range map[string]float64{"moons": 1.1316, "checkerboard": math.Log(6), "8gaussians": math.NaN(), "spirals": math.NaN()} {
		d, err := Prepare(name, 100, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.HeldOut) != 100 {
			t.Errorf("%s: %d held-out points, want 100", name, len(d.HeldOut))
		}
		switch {
		case name == "8gaussians":
			// Nearly separated components: H ≈ log 8 + log(2πe σ²), σ² = 1/8 ÷ 4.126 per standardized dimension.
			approx := math.Log(8) + math.Log(2*math.Pi*math.E*0.125/4.126)
			if math.Abs(d.Entropy-approx) > 0.05 {
				t.Errorf("8gaussians entropy: got %.4f, want ≈ %.4f (tol 0.05)", d.Entropy, approx)
			}
		case math.IsNaN(want):
			if !math.IsNaN(d.Entropy) {
				t.Errorf("%s entropy: got %v, want NaN (unknown)", name, d.Entropy)
			}
		case math.Abs(d.Entropy-want) > 0.02:
			t.Errorf("%s entropy: got %.4f, want %.4f (tol 0.02)", name, d.Entropy, want)
		}
	}
}

func TestRunSmall(t *testing.T) {
	b, err := compute.NewWithConfig("go:parallelism=-1")
	if err != nil {
		t.Fatal(err)
	}
	var models []Model
	for _, m := range Models("small") {
		if m.Name == "RealNVP" || m.Name == "NSF" {
			m.Spec.Layers, m.Spec.Hidden = 2, []int{8}
			models = append(models, m)
		}
	}
	res, err := Run(b, Config{Models: models, Datasets: []string{"moons"}, Steps: 5, HeldOut: 300, TimingPoints: 100, GridSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 {
		t.Fatalf("got %d results, want 2", len(res))
	}
	for _, r := range res {
		if r.Err != "" || math.IsNaN(r.HeldOutNLL) || r.Params == 0 || r.SampleTime <= 0 || r.DensityTime <= 0 || len(r.Grid.Values) != 4 {
			t.Errorf("%s: incomplete result %+v", r.Model, r)
		}
	}
	var csv, md bytes.Buffer
	if err := WriteCSV(&csv, res); err != nil {
		t.Fatal(err)
	}
	if err := WriteMarkdown(&md, res); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(csv.String(), "\n"); lines != 3 {
		t.Errorf("CSV: got %d lines, want 3:\n%s", lines, csv.String())
	}
	if !strings.Contains(md.String(), "| NSF | moons |") {
		t.Errorf("Markdown table lacks the NSF row:\n%s", md.String())
	}
	if _, err := DensityGrid(res); err != nil {
		t.Fatal(err)
	}
	ts, err := Asymmetry(b, []int{2, 3}, 1, []int{8}, 50, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 4 {
		t.Fatalf("Asymmetry: got %d timings, want 4", len(ts))
	}
	if _, err := AsymmetryFigure(ts); err != nil {
		t.Fatal(err)
	}
}
