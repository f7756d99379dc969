package datasets

import (
	"math"
	"strings"
	"testing"
)

// FuzzTensor checks ToTensor and FromTensor on any data: empty, ragged, non-finite and
// float32-overflowing data is refused with an error naming ToTensor; anything else comes back
// from FromTensor(ToTensor(x)) as x rounded to float32. (Kept apart from fuzz_test.go: it is the
// one target that goes through GoMLX tensors.)
func FuzzTensor(f *testing.F) {
	f.Add(encodePoints([][]float64{{1, 2}, {3, 4}}), 1.0)
	f.Add(encodePoints([][]float64{{math.MaxFloat32, -math.MaxFloat32}}), 1.0)
	f.Add(encodePoints([][]float64{{3.4028235677973366e38}}), 1.0) // rounds to MaxFloat32, yet > MaxFloat32
	f.Add(encodePoints([][]float64{{1e-46, -1e-40}}), 1.0)         // underflow to float32 zero and subnormal
	f.Add(encodePoints([][]float64{{math.NaN(), 1}}), 1.0)
	f.Add([]byte{2, 1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24}, 1.0)
	f.Add([]byte{0, 255, 1, 1, 2}, 1.0)
	f.Add([]byte{3, 255, 1, 1, 2, 3, 4, 5, 6}, 1e38)
	f.Fuzz(func(t *testing.T, b []byte, scale float64) {
		x := pointsFromBytes(b, scale)
		tt, err := ToTensor(x)
		if err != nil {
			if tt != nil {
				t.Errorf("got a tensor along with the error %v", err)
			}
			if !strings.HasPrefix(err.Error(), "datasets: ToTensor: ") {
				t.Errorf("error %q does not name ToTensor", err)
			}
			return
		}
		if len(x) == 0 || len(x[0]) == 0 || Validate(x, len(x[0])) != nil {
			t.Fatalf("accepted invalid data %v", x)
		}
		back, err := FromTensor(tt)
		if err != nil {
			t.Fatalf("FromTensor(ToTensor(x)): %v", err)
		}
		if len(back) != len(x) {
			t.Fatalf("FromTensor(ToTensor(x)): %d rows, want %d", len(back), len(x))
		}
		for i := range x {
			if len(back[i]) != len(x[i]) {
				t.Fatalf("row %d: %d columns, want %d", i, len(back[i]), len(x[i]))
			}
			for j, v := range x[i] {
				if want := float64(float32(v)); back[i][j] != want || math.IsInf(want, 0) {
					t.Fatalf("x[%d][%d] = %v came back as %v, want %v", i, j, v, back[i][j], want)
				}
			}
		}
	})
}
