package datasets

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// Validate checks that x is a usable data set of points of dimension dim:
// at least one row, every row of length dim, every value finite.
// The error names the first offending row (and column).
func Validate(x [][]float64, dim int) error {
	if dim <= 0 {
		return fmt.Errorf("datasets: Validate: dim must be positive, got %d", dim)
	}
	if len(x) == 0 {
		return fmt.Errorf("datasets: Validate: empty data (0 rows)")
	}
	for i, row := range x {
		if len(row) != dim {
			return fmt.Errorf("datasets: Validate: row %d has %d columns, want %d", i, len(row), dim)
		}
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("datasets: Validate: non-finite value x[%d][%d] = %v (row %d, column %d)", i, j, v, i, j)
			}
		}
	}
	return nil
}

// unwrapPrefix strips the "datasets: Validate: " prefix so that callers can
// re-wrap a Validate error under their own name without repeating it.
func unwrapPrefix(err error) error {
	const p = "datasets: Validate: "
	if s := err.Error(); strings.HasPrefix(s, p) {
		return errors.New(s[len(p):])
	}
	return err
}
