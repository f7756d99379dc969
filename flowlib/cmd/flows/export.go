package main

// The Go side of bench/README.md's interchange format: `flows train -export-dir DIR` writes a RealNVP run's initial
// (and final) weights, the exact standardized points it trained and scored on, and its own curve, so that
// bench/realnvp_torch.py can train PyTorch from the same start on the same data and the two curves can be laid
// over each other.

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/flowsgo/flows/flowlib"
	"github.com/flowsgo/flows/flowlib/bijectors"
	"github.com/flowsgo/flows/flowlib/datasets"
	"github.com/flowsgo/flows/flowlib/fit"
	"github.com/gomlx/gomlx/core/tensors"
)

// Interchange format names, checked by bench/realnvp_torch.py.
const (
	weightsFormat = "flowlib-realnvp-weights/1"
	dataFormat    = "flowlib-moons-data/1"
)

// Names of the files -export-dir writes.
const (
	exportWeights      = "weights.json"       // initial weights, check block on the first held-out points
	exportFinalWeights = "weights-final.json" // the trained weights: their check block tests the layout for real
	exportData         = "data.json"          // the manifest of the three .f32 files
	exportCurve        = "curve.csv"          // step,batch_nll,heldout_nll, flowlib's own curve
	exportCheckPoints  = 8                    // points in each check block
)

// dense is one Dense layer as the interchange format stores it: W[in][out], used as x @ W + b.
type dense struct {
	W [][]float32 `json:"W"`
	B []float32   `json:"b"`
}

type weightsLayer struct {
	Mask          []bool    `json:"mask"`
	Hidden        []dense   `json:"hidden"`
	Scale         dense     `json:"scale"`
	Shift         dense     `json:"shift"`
	LogScaleBound []float32 `json:"log_scale_bound"`
}

type weightsCheck struct {
	X       [][]float64 `json:"x"`
	LogProb []float64   `json:"log_prob"`
}

type weightsFile struct {
	Format     string         `json:"format"`
	Dim        int            `json:"dim"`
	Activation string         `json:"activation"`
	Layers     []weightsLayer `json:"layers"`
	Check      *weightsCheck  `json:"check,omitempty"`
}

type standardizerJSON struct {
	Mean []float64 `json:"mean"`
	Std  []float64 `json:"std"`
}

type dataManifest struct {
	Format       string            `json:"format"`
	Dim          int               `json:"dim"`
	Steps        int               `json:"steps"`
	Batch        int               `json:"batch"`
	Stream       string            `json:"stream"`
	HeldOut      string            `json:"heldout"`
	HeldOutN     int               `json:"heldout_n"`
	Train        string            `json:"train"`
	TrainN       int               `json:"train_n"`
	Standardizer *standardizerJSON `json:"standardizer,omitempty"`
	Seed         uint64            `json:"seed"`
	Noise        float64           `json:"noise"`
}

// realNVPWeights reads a RealNVP model's variables into the interchange layout. check, if non-empty, are points
// whose log-density under these weights goes into the check block.
func realNVPWeights(m *flowlib.Model, activation string, check [][]float64) (*weightsFile, error) {
	chain, ok := m.Flow.Bijector.(*flowlib.ChainBijector)
	if !ok {
		return nil, fmt.Errorf("export: want a chain of coupling layers, got %T", m.Flow.Bijector)
	}
	if err := m.Init(); err != nil {
		return nil, err
	}
	vars := map[string][]float32{}
	shapes := map[string][]int{}
	for v := range m.Store.IterVariables() {
		if !m.Owns(v) {
			continue
		}
		t, err := v.Value()
		if err != nil {
			return nil, fmt.Errorf("export: variable %s: %w", v.Path(), err)
		}
		flat, err := tensors.CopyFlatData[float32](t)
		if err != nil {
			return nil, fmt.Errorf("export: variable %s: %w", v.Path(), err)
		}
		vars[v.Path()], shapes[v.Path()] = flat, v.Shape().Dimensions
	}
	get := func(path string) (dense, error) {
		w, b := vars[path+"/weights"], vars[path+"/biases"]
		ws := shapes[path+"/weights"]
		if w == nil || b == nil || len(ws) != 2 {
			return dense{}, fmt.Errorf("export: no Dense variables under %s", path)
		}
		d := dense{B: b}
		for i := range ws[0] {
			d.W = append(d.W, w[i*ws[1]:(i+1)*ws[1]])
		}
		return d, nil
	}
	out := &weightsFile{Format: weightsFormat, Dim: m.Dim(), Activation: activation}
	for i, b := range chain.Layers {
		c, ok := b.(*bijectors.AffineCoupling)
		if !ok {
			return nil, fmt.Errorf("export: layer %d is %T, want a RealNVP affine coupling layer", i, b)
		}
		root := fmt.Sprintf("/%s/layer_%d", flowlib.VariablesScope, i)
		layer := weightsLayer{Mask: c.Mask(), LogScaleBound: vars[root+"/log_scale_bound"]}
		if layer.LogScaleBound == nil {
			return nil, fmt.Errorf("export: layer %d has no log_scale_bound (an additive coupling layer?)", i)
		}
		for k := 0; ; k++ {
			path := fmt.Sprintf("%s/conditioner/hidden_%d", root, k)
			if vars[path+"/weights"] == nil {
				break
			}
			d, err := get(path)
			if err != nil {
				return nil, err
			}
			layer.Hidden = append(layer.Hidden, d)
		}
		var err error
		if layer.Scale, err = get(root + "/conditioner/output"); err != nil {
			return nil, err
		}
		if layer.Shift, err = get(root + "/conditioner/output_1"); err != nil {
			return nil, err
		}
		out.Layers = append(out.Layers, layer)
	}
	if len(check) > 0 {
		lp, err := m.LogProb(check)
		if err != nil {
			return nil, err
		}
		out.Check = &weightsCheck{X: check, LogProb: lp}
	}
	return out, nil
}

// writeJSON writes v as indented JSON.
func writeJSON(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// writeF32 writes points as raw little-endian float32, row-major: exactly the values the graph was fed.
func writeF32(path string, points [][]float64) error {
	var flat []float32
	for _, p := range points {
		for _, v := range p {
			flat = append(flat, float32(v))
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := binary.Write(f, binary.LittleEndian, flat); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// readF32 reads a file written by writeF32 as rows of dim values, checking its size is rows·dim·4 bytes.
func readF32(path string, rows, dim int) ([][]float64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if want := rows * dim * 4; len(b) != want {
		return nil, fmt.Errorf("%s: %d bytes, want %d (%d points × %d float32)", path, len(b), want, rows, dim)
	}
	out := make([][]float64, rows)
	for i := range out {
		out[i] = make([]float64, dim)
		for j := range out[i] {
			out[i][j] = float64(math.Float32frombits(binary.LittleEndian.Uint32(b[4*(i*dim+j):])))
		}
	}
	return out, nil
}

// exportRun is what -export-dir writes for one run.
type exportRun struct {
	initial, final *weightsFile
	stream         [][][]float64 // stream[k] is the batch of step k+1
	train, held    [][]float64   // standardized
	std            *datasets.Standardizer
	seed           uint64
	hist           *fit.History
}

// write writes every file of the run into dir, which it creates.
func (e *exportRun) write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if len(e.stream) == 0 {
		return errors.New("export: no stream recorded (-export-dir needs -fresh)")
	}
	var all [][]float64
	for _, b := range e.stream {
		if len(b) != len(e.stream[0]) {
			return fmt.Errorf("export: stream batches of different sizes (%d and %d)", len(e.stream[0]), len(b))
		}
		all = append(all, b...)
	}
	man := dataManifest{Format: dataFormat, Dim: len(e.held[0]), Steps: len(e.stream), Batch: len(e.stream[0]),
		Stream: "stream.f32", HeldOut: "heldout.f32", HeldOutN: len(e.held), Train: "train.f32", TrainN: len(e.train),
		Seed: e.seed, Noise: datasets.DefaultMoonsNoise}
	if e.std != nil {
		man.Standardizer = &standardizerJSON{Mean: e.std.Mean, Std: e.std.Std}
	}
	for _, w := range []struct {
		name string
		do   func(path string) error
	}{
		{exportWeights, func(p string) error { return writeJSON(p, e.initial) }},
		{exportFinalWeights, func(p string) error { return writeJSON(p, e.final) }},
		{man.Stream, func(p string) error { return writeF32(p, all) }},
		{man.HeldOut, func(p string) error { return writeF32(p, e.held) }},
		{man.Train, func(p string) error { return writeF32(p, e.train) }},
		{exportData, func(p string) error { return writeJSON(p, man) }},
		{exportCurve, func(p string) error { return os.WriteFile(p, []byte(curveCSV(e.hist)), 0o644) }},
	} {
		if err := w.do(filepath.Join(dir, w.name)); err != nil {
			return fmt.Errorf("export: %w", err)
		}
	}
	return nil
}

// curveCSV is the run's curve in realnvp_torch.py's --csv layout: row 0 is before training (batch NLL blank), then
// one row per step with that step's batch NLL before its update, and the held-out NLL where it was measured.
func curveCSV(h *fit.History) string {
	held := map[int]float64{}
	for i, s := range h.EvalSteps {
		held[s] = h.HeldOutNLL[i]
	}
	f := func(v float64, ok bool) string {
		if !ok || math.IsNaN(v) {
			return ""
		}
		return strconv.FormatFloat(v, 'f', 6, 64)
	}
	var b strings.Builder
	b.WriteString("step,batch_nll,heldout_nll\n")
	h0, ok := held[0]
	fmt.Fprintf(&b, "0,,%s\n", f(h0, ok))
	for i, nll := range h.TrainNLL {
		hv, ok := held[i+1]
		fmt.Fprintf(&b, "%d,%s,%s\n", i+1, f(nll, true), f(hv, ok))
	}
	return b.String()
}
