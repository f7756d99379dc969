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
// standardized; "zero" is to float64 precision: a std ≤ 1e-12·|mean| or below
// the smallest normal float64 (2.2e-308) counts as zero.
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
	for j := range d {
		// Work on the column scaled by a power of two (exact) to about [−1, 1]:
		// finite data near ±MaxFloat64 would otherwise overflow the sums to ±Inf
		// and give a NaN or infinite mean and std.
		var maxAbs float64
		for _, row := range x {
			maxAbs = math.Max(maxAbs, math.Abs(row[j]))
		}
		_, e := math.Frexp(maxAbs)
		var sum float64
		for _, row := range x {
			sum += math.Ldexp(row[j], -e)
		}
		mean := sum / n
		// Two passes: Σ(x−mean)² does not lose the variance to cancellation the
		// way Σx² − n·mean² does for data far from the origin.
		var ss float64
		for _, row := range x {
			dv := math.Ldexp(row[j], -e) - mean
			ss += dv * dv
		}
		s.Mean[j], s.Std[j] = math.Ldexp(mean, e), math.Ldexp(math.Sqrt(ss/n), e)
		// A std that is tiny next to the mean, or subnormal, standardizes only
		// the last few bits of the data: the round trip would lose the rest.
		if s.Std[j] <= 1e-12*math.Abs(s.Mean[j]) || s.Std[j] < minStd {
			return nil, fmt.Errorf("datasets: FitStandardizer: dimension %d has zero variance to float64 precision "+
				"(std %g, mean %g; want std > 1e-12·|mean| and std ≥ %.3g); it cannot be standardized",
				j, s.Std[j], s.Mean[j], minStd)
		}
	}
	return s, nil
}

// minStd is the smallest std FitStandardizer accepts: the smallest normal
// float64, below which (x − mean)/std keeps only a few significant bits.
const minStd = 0x1p-1022

// Dim returns the dimension the Standardizer was fitted on.
func (s *Standardizer) Dim() int { return len(s.Mean) }

// Transform returns T(x) = (x − Mean) / Std, row by row, in new slices.
// For the data the Standardizer was fitted on, every result is finite; a value
// much farther from Mean than that data can give ±Inf, and NaN or ±Inf in x
// stay NaN or ±Inf ([Validate] finds them).
// It panics if a row's length is not s.Dim().
func (s *Standardizer) Transform(x [][]float64) [][]float64 {
	z := s.alloc("Transform", x)
	for i, row := range x {
		for j, v := range row {
			d := v - s.Mean[j]
			if math.IsInf(d, 0) && !math.IsInf(v, 0) {
				// v and the mean near ±MaxFloat64 on either side of 0: halving
				// is exact there, and z itself is finite.
				d = v/2 - s.Mean[j]/2
				z[i][j] = d / s.Std[j] * 2
				continue
			}
			z[i][j] = d / s.Std[j]
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
			if math.IsInf(x[i][j], 0) && !math.IsInf(v, 0) {
				// v·Std overflowed though the sum may not (Transform's case, undone).
				x[i][j] = (v*(s.Std[j]/2) + s.Mean[j]/2) * 2
			}
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
	if len(s.Std) != d {
		panic(fmt.Sprintf("datasets: Standardizer.%s: %d means but %d stds", method, d, len(s.Std)))
	}
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
