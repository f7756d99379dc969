package datasets

import (
	"fmt"
	"math"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
)

// ToTensor copies the points x (n rows of dimension d) into a new float32
// tensor of shape [n, d], ready to feed a GoMLX graph.
//
// It returns an error if x is empty, ragged, holds a non-finite value, or holds
// a value too large for float32 (|v| > math.MaxFloat32).
func ToTensor(x [][]float64) (*tensors.Tensor, error) {
	if len(x) == 0 {
		return nil, fmt.Errorf("datasets: ToTensor: empty data (0 rows)")
	}
	d := len(x[0])
	if d == 0 {
		return nil, fmt.Errorf("datasets: ToTensor: row 0 has 0 columns, want at least 1")
	}
	if err := Validate(x, d); err != nil {
		return nil, fmt.Errorf("datasets: ToTensor: %w", unwrapPrefix(err))
	}
	flat := make([]float32, 0, len(x)*d)
	for i, row := range x {
		for j, v := range row {
			if math.Abs(v) > math.MaxFloat32 {
				return nil, fmt.Errorf("datasets: ToTensor: x[%d][%d] = %g overflows float32", i, j, v)
			}
			flat = append(flat, float32(v))
		}
	}
	return tensors.FromFlatDataAndDimensions(flat, len(x), d), nil
}

// FromTensor copies a rank-2 float32 or float64 tensor of shape [n, d] into
// n rows of dimension d (float32 values are widened exactly to float64).
//
// It returns an error for a nil tensor, another rank or another dtype.
func FromTensor(t *tensors.Tensor) ([][]float64, error) {
	if t == nil {
		return nil, fmt.Errorf("datasets: FromTensor: nil tensor")
	}
	if t.Rank() != 2 {
		return nil, fmt.Errorf("datasets: FromTensor: want a rank-2 tensor [n, d], got shape %s", t.Shape())
	}
	n, d := t.Shape().Dim(0), t.Shape().Dim(1)
	var flat []float64
	switch t.DType() {
	case dtypes.Float32:
		f32, err := tensors.CopyFlatData[float32](t)
		if err != nil {
			return nil, fmt.Errorf("datasets: FromTensor: %w", err)
		}
		flat = make([]float64, len(f32))
		for i, v := range f32 {
			flat[i] = float64(v)
		}
	case dtypes.Float64:
		f64, err := tensors.CopyFlatData[float64](t)
		if err != nil {
			return nil, fmt.Errorf("datasets: FromTensor: %w", err)
		}
		flat = f64
	default:
		return nil, fmt.Errorf("datasets: FromTensor: want dtype Float32 or Float64, got %s (shape %s)", t.DType(), t.Shape())
	}
	x := make([][]float64, n)
	for i := range x {
		x[i] = flat[i*d : (i+1)*d : (i+1)*d]
	}
	return x, nil
}
