package datasets

import (
	"fmt"
	"math"
)

// Standardizer is the per-dimension affine map T(x) = (x − Mean) / Std that
// takes raw data to standardized data (zero mean, unit variance per
// dimension), and its inverse x = z·Std + Mean.
//
// Flows are trained on standardized data; to report a density in raw units,
// use the change of variables (T is diagonal, so its Jacobian determinant is
// Π 1/Std[d]):
//
//	log p_raw(x) = log p_std(T(x)) + LogDet(),   LogDet() = −Σ_d log Std[d]
//
// so the negative log-likelihoods per point relate by NLL_raw = NLL_std − LogDet().
type Standardizer struct {
	// Mean and Std have one entry per dimension; every Std[d] > 0.
	Mean, Std []float64
}

// FitStandardizer returns the [Standardizer] with the sample mean and the
// population standard deviation (divisor n, not n−1) of each dimension of x.
//
// Errors: empty data, ragged rows, a non-finite value, or a dimension with zero
// variance (a constant column, for example a single row), which could not be
// standardized.
func FitStandardizer(x [][]float64) (*Standardizer, error) {
	if len(x) == 0 {
		return nil, fmt.Errorf("datasets: FitStandardizer: empty data (0 rows)")
	}
	d := len(x[0])
	if d == 0 {
		return nil, fmt.Errorf("datasets: FitStandardizer: row 0 has 0 columns, want at least 1")
	}
	if err := Validate(x, d); err != nil {
		return nil, fmt.Errorf("datasets: FitStandardizer: %w", unwrapPrefix(err))
	}
	n := float64(len(x))
	s := &Standardizer{Mean: make([]float64, d), Std: make([]float64, d)}
	for _, row := range x {
		for j, v := range row {
			s.Mean[j] += v
		}
	}
	for j := range s.Mean {
		s.Mean[j] /= n
	}
	// Two passes: Σ(x−mean)² does not lose the variance to cancellation the way
	// Σx² − n·mean² does for data far from the origin.
	for _, row := range x {
		for j, v := range row {
			dv := v - s.Mean[j]
			s.Std[j] += dv * dv
		}
	}
	for j := range s.Std {
		s.Std[j] = math.Sqrt(s.Std[j] / n)
		if s.Std[j] == 0 || s.Std[j] <= 1e-12*math.Abs(s.Mean[j]) {
			return nil, fmt.Errorf("datasets: FitStandardizer: dimension %d has zero variance (std %g, mean %g); it cannot be standardized",
				j, s.Std[j], s.Mean[j])
		}
	}
	return s, nil
}

// Dim returns the dimension the Standardizer was fitted on.
func (s *Standardizer) Dim() int { return len(s.Mean) }

// Transform returns T(x) = (x − Mean) / Std, row by row, in new slices.
// It panics if a row's length is not s.Dim().
func (s *Standardizer) Transform(x [][]float64) [][]float64 {
	z := s.alloc("Transform", x)
	for i, row := range x {
		for j, v := range row {
			z[i][j] = (v - s.Mean[j]) / s.Std[j]
		}
	}
	return z
}

// Inverse returns T⁻¹(z) = z·Std + Mean, row by row, in new slices.
// It panics if a row's length is not s.Dim().
func (s *Standardizer) Inverse(z [][]float64) [][]float64 {
	x := s.alloc("Inverse", z)
	for i, row := range z {
		for j, v := range row {
			x[i][j] = v*s.Std[j] + s.Mean[j]
		}
	}
	return x
}

// LogDet returns log|det ∂T/∂x| of the raw → standardized map,
// −Σ_d log Std[d]: log p_raw(x) = log p_std(T(x)) + LogDet().
func (s *Standardizer) LogDet() float64 {
	var sum float64
	for _, sd := range s.Std {
		sum -= math.Log(sd)
	}
	return sum
}

func (s *Standardizer) alloc(method string, x [][]float64) [][]float64 {
	d := s.Dim()
	flat := make([]float64, len(x)*d)
	out := make([][]float64, len(x))
	for i, row := range x {
		if len(row) != d {
			panic(fmt.Sprintf("datasets: Standardizer.%s: row %d has %d columns, want %d", method, i, len(row), d))
		}
		out[i] = flat[i*d : (i+1)*d : (i+1)*d]
	}
	return out
}
