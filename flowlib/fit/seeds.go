package fit

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
)

// SeedTable is one training configuration run once per seed: what `flows train -seeds 1,2,3,4,5 -table FILE`
// measures and writes, so that a chapter can draw the table the command computed instead of typing it in.
type SeedTable struct {
	Command string    `json:"command"` // the flows command line that made it
	Backend string    `json:"backend"` // the backend configuration, e.g. "go:parallelism=-1"
	Rows    []SeedRow `json:"rows"`
	// Over the seeds: the largest, mean and spread (max − min) of the final training NLL, and the mean and
	// spread of the held-out NLL.
	TrainMax      float64 `json:"train_max"`
	TrainMean     float64 `json:"train_mean"`
	TrainSpread   float64 `json:"train_spread"`
	HeldOutMean   float64 `json:"heldout_mean"`
	HeldOutSpread float64 `json:"heldout_spread"`
}

// SeedRow is one seed's run.
type SeedRow struct {
	Seed      int     `json:"seed"`
	TrainNLL  float64 `json:"train_nll"`   // History.FinalTrainNLL
	HeldOut   float64 `json:"heldout_nll"` // History.FinalHeldOutNLL
	MsPerStep float64 `json:"ms_per_step"` // History.MsPerStep: depends on the machine and its load
}

// Write writes the table as indented JSON.
func (t *SeedTable) Write(path string) error {
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return fmt.Errorf("fit.SeedTable.Write: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("fit.SeedTable.Write: %w", err)
	}
	return nil
}

// ReadSeedTable reads a table written by [SeedTable.Write]; it returns an error if the file is missing, is not
// such a table, or has no rows.
func ReadSeedTable(path string) (*SeedTable, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("fit.ReadSeedTable: %w", err)
	}
	return parseSeedTable(path, b)
}

// ReadSeedTableFS is [ReadSeedTable] for the file name in fsys (an embedded table, for example).
func ReadSeedTableFS(fsys fs.FS, name string) (*SeedTable, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("fit.ReadSeedTable: %w", err)
	}
	return parseSeedTable(name, b)
}

func parseSeedTable(name string, b []byte) (*SeedTable, error) {
	var t SeedTable
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("fit.ReadSeedTable: %s: %w", name, err)
	}
	if len(t.Rows) == 0 || t.Command == "" {
		return nil, fmt.Errorf("fit.ReadSeedTable: %s: no rows or no command: not a seed table", name)
	}
	return &t, nil
}
