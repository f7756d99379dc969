package flowlib_test

import (
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/flowsgo/flows/flowlib"
	"github.com/flowsgo/flows/flowlib/backend"
	"github.com/flowsgo/flows/flowlib/flows"
)

// The fuzz targets run their seeds (f.Add and testdata/fuzz/FuzzXxx) as ordinary tests in go test;
// to search for new failures:
//
//	go test -run NONE -fuzz FuzzLogProb -fuzztime 3m -parallel 1 ./flowlib
//	go test -run NONE -fuzz FuzzSample -fuzztime 3m -parallel 1 ./flowlib
//
// Every input that once failed is kept in testdata/fuzz/FuzzXxx as a regression seed.

// fuzzModel is a small trained RealNVP (2 layers, hidden 8, 8: the v0.26 fixture), loaded once per fuzz process,
// since each graph compile costs milliseconds. Trained rather than fresh: an untrained flow is exactly N(0, I) and
// would hide every overflow in its networks.
var fuzzModel = sync.OnceValues(func() (*flowlib.Model, error) {
	b, _, err := backend.Choose()
	if err != nil {
		return nil, err
	}
	return flows.Load(b, "flows/testdata/v0.26/realnvp.flow")
})

func loadFuzzModel(t testing.TB) *flowlib.Model {
	t.Helper()
	m, err := fuzzModel()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// wantErr fails unless err is non-nil, has the prefix and contains every one of want.
func wantErr(t *testing.T, call string, err error, prefix string, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: got no error, want one starting %q", call, prefix)
	}
	if !strings.HasPrefix(err.Error(), prefix) {
		t.Fatalf("%s: error %q does not start with %q", call, err, prefix)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Fatalf("%s: error %q does not contain %q", call, err, w)
		}
	}
}

// FuzzLogProb checks LogProb on any four numbers laid out as a batch of some shape (shape picks: two rows, none,
// ragged, too wide, too narrow, or many copies): a bad batch or a value that is not a finite float32 is an error
// naming x and the row; otherwise one log-density per row, each finite or −Inf (a density below float32's
// smallest number), and for points within ±1e4 of the data always finite.
func FuzzLogProb(f *testing.F) {
	for _, v := range []float64{0, 1, -2.5, 1e4, 1e8, 1e30, -1e30, 1e38, math.MaxFloat32, 3.5e38, math.MaxFloat64,
		math.SmallestNonzeroFloat64, math.NaN(), math.Inf(1), math.Inf(-1)} {
		for shape := range uint8(6) {
			f.Add(v, 0.5, -0.3, 1.0, shape)
		}
		f.Add(0.1, v, v, 0.2, uint8(0))
	}
	m := loadFuzzModel(f)
	f.Fuzz(func(t *testing.T, a, b, c, d float64, shape uint8) {
		var x [][]float64
		badShape := true
		switch shape % 6 {
		case 0:
			x, badShape = [][]float64{{a, b}, {c, d}}, false
		case 1:
			x = [][]float64{}
		case 2:
			x = [][]float64{{a, b}, {c}}
		case 3:
			x = [][]float64{{a, b, c}}
		case 4:
			x = [][]float64{{a}}
		case 5:
			x, badShape = make([][]float64, 1+int(shape)%97), false
			for i := range x {
				x[i] = []float64{a + float64(i)*b, c - float64(i)*d}
			}
		}
		lp, err := m.LogProb(x)
		if badShape {
			wantErr(t, "LogProb(bad shape)", err, "flowlib.Model.LogProb: x: ")
			return
		}
		bad, near := false, true
		for _, row := range x {
			for _, v := range row {
				bad = bad || !(math.Abs(v) <= math.MaxFloat32)
				near = near && math.Abs(v) <= 1e4
			}
		}
		if bad {
			wantErr(t, "LogProb(non-float32 value)", err, "flowlib.Model.LogProb: x: row ", "column")
			return
		}
		if err != nil {
			if near {
				t.Fatalf("LogProb(%v): %v, want finite log-densities for points within ±1e4", x, err)
			}
			wantErr(t, "LogProb(huge point)", err, "flowlib.Model.LogProb: x: row ", "gives log p")
			return
		}
		if len(lp) != len(x) {
			t.Fatalf("LogProb of %d points: got %d values", len(x), len(lp))
		}
		for i, v := range lp {
			if math.IsNaN(v) || math.IsInf(v, 1) || (near && math.IsInf(v, -1)) {
				t.Fatalf("LogProb(%v)[%d] = %v without an error", x[i], i, v)
			}
		}
	})
}

// maxFuzzSample bounds the n a fuzz run actually draws: larger valid n are skipped (n beyond the limit is still
// checked to be refused), so that one execution stays in the milliseconds.
const maxFuzzSample = 10_000

// FuzzSample checks Sample on any (n, seed): n < 1 or n·Dim > MaxSampleValues is an error naming n; otherwise
// exactly n finite points with finite log-densities, the same ones on a second call.
func FuzzSample(f *testing.F) {
	for _, n := range []int{1, 2, 7, 4096, 4097, 0, -1, math.MinInt, math.MaxInt, 1 << 40, flowlib.MaxSampleValues/2 + 1} {
		f.Add(n, uint64(1))
	}
	f.Add(3, uint64(math.MaxUint64))
	m := loadFuzzModel(f)
	f.Fuzz(func(t *testing.T, n int, seed uint64) {
		if n >= 1 && n <= flowlib.MaxSampleValues/m.Dim() && n > maxFuzzSample {
			t.Skipf("n = %d: valid, but too many points for a fuzz execution", n)
		}
		x, lp, err := m.SampleAndLogProb(n, seed)
		if n < 1 || n > flowlib.MaxSampleValues/m.Dim() {
			wantErr(t, "Sample(bad n)", err, "flowlib.Model.Sample: n must be")
			if x != nil || lp != nil {
				t.Fatalf("Sample(%d): points with the error", n)
			}
			return
		}
		if err != nil {
			t.Fatalf("Sample(%d, %d): %v", n, seed, err)
		}
		if len(x) != n || len(lp) != n {
			t.Fatalf("Sample(%d): got %d points, %d log-densities", n, len(x), len(lp))
		}
		for i := range x {
			if len(x[i]) != m.Dim() {
				t.Fatalf("sample %d has %d values, want %d", i, len(x[i]), m.Dim())
			}
			for _, v := range append([]float64{lp[i]}, x[i]...) {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("sample %d = %v, log p %v, without an error", i, x[i], lp[i])
				}
			}
		}
		if n <= 64 {
			again, _ := m.Sample(n, seed)
			for i := range x {
				for j := range x[i] {
					if again[i][j] != x[i][j] {
						t.Fatalf("Sample(%d, %d) twice: point %d differs (%v, %v)", n, seed, i, x[i], again[i])
					}
				}
			}
		}
	})
}
