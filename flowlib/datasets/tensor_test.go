package datasets

import (
	"math"
	"slices"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
)

func TestTensorRoundTrip(t *testing.T) {
	x := MustMoons(37, 0.05, 1)
	tt, err := ToTensor(x)
	if err != nil {
		t.Fatal(err)
	}
	if got := tt.Shape(); got.DType != dtypes.Float32 || !slices.Equal(got.Dimensions, []int{37, 2}) {
		t.Errorf("ToTensor shape: got %s, want Float32 [37, 2]", got)
	}
	back, err := FromTensor(tt)
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != 37 {
		t.Fatalf("FromTensor: got %d rows, want 37", len(back))
	}
	for i := range x {
		for d := range 2 {
			if want := float64(float32(x[i][d])); back[i][d] != want {
				t.Errorf("FromTensor(ToTensor(x))[%d][%d]: got %v, want %v", i, d, back[i][d], want)
			}
		}
	}
	// float64 tensors come back exactly.
	t64 := tensors.FromFlatDataAndDimensions([]float64{1, 2, 3, 4, 5, 6.5}, 3, 2)
	y, err := FromTensor(t64)
	if err != nil {
		t.Fatal(err)
	}
	if y[2][1] != 6.5 || len(y) != 3 || len(y[0]) != 2 {
		t.Errorf("FromTensor(float64 [3 2]): got %v", y)
	}
}

func TestTensorBadInput(t *testing.T) {
	for _, tc := range []struct {
		name  string
		x     [][]float64
		parts []string
	}{
		{"empty", nil, []string{"ToTensor", "empty data"}},
		{"no columns", [][]float64{{}}, []string{"ToTensor", "row 0 has 0 columns, want at least 1"}},
		{"ragged", [][]float64{{1, 2}, {3}}, []string{"ToTensor", "row 1 has 1 columns, want 2"}},
		{"NaN", [][]float64{{1, math.NaN()}}, []string{"ToTensor", "row 0, column 1"}},
		{"overflow", [][]float64{{1, 2}, {1e300, 0}}, []string{"ToTensor", "x[1][0] = 1e+300 overflows float32"}},
	} {
		tt, err := ToTensor(tc.x)
		if tt != nil {
			t.Errorf("%s: got a tensor with the error", tc.name)
		}
		assertErrorContains(t, tc.name, err, tc.parts...)
	}
	for _, tc := range []struct {
		name  string
		t     *tensors.Tensor
		parts []string
	}{
		{"nil", nil, []string{"FromTensor", "nil tensor"}},
		{"rank 1", tensors.FromFlatDataAndDimensions([]float32{1, 2}, 2), []string{"FromTensor", "want a rank-2 tensor [n, d]", "[2]"}},
		{"int32", tensors.FromFlatDataAndDimensions([]int32{1, 2}, 1, 2), []string{"FromTensor", "want dtype Float32 or Float64", "Int32"}},
	} {
		_, err := FromTensor(tc.t)
		assertErrorContains(t, tc.name, err, tc.parts...)
	}
}
