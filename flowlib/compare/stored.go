package compare

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/flowsgo/flows/flowlib/flows"
	"github.com/flowsgo/flows/flowlib/plots"
	"github.com/gomlx/compute"
)

// ModelFile is the name, inside a comparison's models folder, of the trained model of one row:
// "<model in lower case>-<dataset>.flow", as `flows compare` writes it.
func ModelFile(model, dataset string) string {
	return strings.ToLower(model) + "-" + dataset + ".flow"
}

// ReadCSV reads a table written by [WriteCSV] back into results. What the table does not hold stays zero: Spec,
// Grid and Trained (see [Load]). Cells written as "—" read back as NaN (NLLs) or 0 (timings). The durations keep
// the table's rounding (0.1 s for training, 0.01 s for sampling and density).
func ReadCSV(r io.Reader) ([]Result, error) {
	rows, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("compare.ReadCSV: %w", err)
	}
	if len(rows) == 0 || !slices.Equal(rows[0], Header) {
		return nil, fmt.Errorf("compare.ReadCSV: the first line must be the header %q", strings.Join(Header, ","))
	}
	var out []Result
	for i, row := range rows[1:] {
		line := i + 2
		var errs []error
		num := func(col int) float64 {
			if row[col] == "—" {
				return math.NaN()
			}
			v, err := strconv.ParseFloat(row[col], 64)
			if err != nil {
				errs = append(errs, fmt.Errorf("column %q: %w", Header[col], err))
			}
			return v
		}
		integer := func(col int) int {
			if row[col] == "—" {
				return 0
			}
			v, err := strconv.Atoi(row[col])
			if err != nil {
				errs = append(errs, fmt.Errorf("column %q: %w", Header[col], err))
			}
			return v
		}
		seconds := func(col int) time.Duration {
			v := num(col)
			if math.IsNaN(v) {
				return 0
			}
			return time.Duration(math.Round(v * float64(time.Second)))
		}
		r := Result{Model: row[0], Dataset: row[1], Params: integer(2), Steps: integer(3), TrainNLL: num(4),
			HeldOutNLL: num(5), Entropy: num(6), Gap: num(7), TrainTime: seconds(8), SampleTime: seconds(9),
			DensityTime: seconds(10), TimingPoints: integer(11), Err: row[12]}
		if row[11] == "—" {
			r.TimingPoints = -1
		}
		if len(errs) > 0 {
			return nil, fmt.Errorf("compare.ReadCSV: line %d: %w", line, errors.Join(errs...))
		}
		out = append(out, r)
	}
	return out, nil
}

// Load reads back a comparison that `flows compare -out dir` wrote: it is [LoadFS] on the folder dir.
func Load(backend compute.Backend, dir string, gridSize int) ([]Result, error) {
	return LoadFS(backend, os.DirFS(dir), gridSize)
}

// LoadFS reads back a comparison that `flows compare` wrote, from a folder fsys (on disk, or embedded like
// [precomputed.Chapter6]): the table (table.csv) and, for every row that has one, the trained model
// (models/[ModelFile]) into Result.Trained, with its Spec. With gridSize > 0 it also evaluates each loaded model's
// log-density on [GridBounds] (gridSize²) into Result.Grid, for [DensityGrid]. A row whose model file is missing
// keeps Trained nil; a model file that does not load is an error.
//
// [precomputed.Chapter6]: https://pkg.go.dev/github.com/flowsgo/flows/flowlib/precomputed#Chapter6
func LoadFS(backend compute.Backend, fsys fs.FS, gridSize int) ([]Result, error) {
	f, err := fsys.Open("table.csv")
	if err != nil {
		return nil, fmt.Errorf("compare.LoadFS: %w", err)
	}
	defer f.Close()
	results, err := ReadCSV(f)
	if err != nil {
		return nil, fmt.Errorf("compare.LoadFS: table.csv: %w", err)
	}
	for i := range results {
		r := &results[i]
		name := path.Join("models", ModelFile(r.Model, r.Dataset))
		if _, err := fs.Stat(fsys, name); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		m, err := flows.LoadFS(backend, fsys, name)
		if err != nil {
			return nil, fmt.Errorf("compare.LoadFS: %w", err)
		}
		r.Trained = m
		if spec, ok := m.Spec.(flows.Spec); ok {
			r.Spec = spec
		}
		if gridSize > 0 {
			lp, err := m.LogProb(GridBounds.GridPoints(gridSize, gridSize))
			if err != nil {
				return nil, fmt.Errorf("compare.LoadFS: %s on %s: %w", r.Model, r.Dataset, err)
			}
			if r.Grid, err = plots.GridFromValues(GridBounds, gridSize, gridSize, lp); err != nil {
				return nil, fmt.Errorf("compare.LoadFS: %w", err)
			}
		}
	}
	return results, nil
}

// ReadTimingsCSV reads MAF/IAF timings written by [WriteTimingsCSV] (rounded to milliseconds).
func ReadTimingsCSV(r io.Reader) ([]Timing, error) {
	rows, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("compare.ReadTimingsCSV: %w", err)
	}
	want := []string{"model", "dim", "n", "sample s", "density s"}
	if len(rows) == 0 || !slices.Equal(rows[0], want) {
		return nil, fmt.Errorf("compare.ReadTimingsCSV: the first line must be the header %q", strings.Join(want, ","))
	}
	var out []Timing
	for i, row := range rows[1:] {
		dim, err1 := strconv.Atoi(row[1])
		n, err2 := strconv.Atoi(row[2])
		s, err3 := strconv.ParseFloat(row[3], 64)
		d, err4 := strconv.ParseFloat(row[4], 64)
		if err := errors.Join(err1, err2, err3, err4); err != nil {
			return nil, fmt.Errorf("compare.ReadTimingsCSV: line %d: %w", i+2, err)
		}
		out = append(out, Timing{Model: row[0], Dim: dim, N: n,
			SampleTime: time.Duration(math.Round(s * float64(time.Second))), DensityTime: time.Duration(math.Round(d * float64(time.Second)))})
	}
	return out, nil
}
