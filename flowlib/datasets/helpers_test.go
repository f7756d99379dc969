package datasets

import (
	"math"
	"strings"
	"testing"
)

// assertClose fails the test if |got − want| > tol.
func assertClose(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if !(math.Abs(got-want) <= tol) {
		t.Errorf("%s: got %.10g, want %.10g (tol %g)", what, got, want, tol)
	}
}

// assertErrorContains fails the test unless err is non-nil and its message
// contains every one of parts.
func assertErrorContains(t *testing.T, what string, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: got no error, want one containing %q", what, parts)
		return
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %q does not contain %q", what, err, p)
		}
	}
}

// assertPanics fails the test unless f panics with a message containing every
// one of parts.
func assertPanics(t *testing.T, what string, f func(), parts ...string) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Errorf("%s: did not panic", what)
			return
		}
		msg, _ := r.(string)
		if err, ok := r.(error); ok {
			msg = err.Error()
		}
		for _, p := range parts {
			if !strings.Contains(msg, p) {
				t.Errorf("%s: panic %q does not contain %q", what, msg, p)
			}
		}
	}()
	f()
}

// sampleMoments returns the per-dimension mean and population std of x.
func sampleMoments(x [][]float64) (mean, std []float64) {
	d := len(x[0])
	mean, std = make([]float64, d), make([]float64, d)
	for _, row := range x {
		for j, v := range row {
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(len(x))
	}
	for _, row := range x {
		for j, v := range row {
			std[j] += (v - mean[j]) * (v - mean[j])
		}
	}
	for j := range std {
		std[j] = math.Sqrt(std[j] / float64(len(x)))
	}
	return mean, std
}
