// Package precomputed holds comparisons that take too long to run while a reader waits, embedded in the module
// so they travel with the code wherever the notebooks are copied:
//
//	results, err := compare.LoadFS(backend, precomputed.Chapter6(), 100)
//
// Each folder is the output of one `flows compare` run; its README.md gives the exact command, and
// TestStoredComparison (package compare) checks that the stored models still score the stored table.
package precomputed

import (
	"embed"
	"io/fs"
)

//go:embed ch6
var files embed.FS

// Chapter6 is chapter 6's comparison: seven flow families trained 500 steps on moons and 8 Gaussians
// (table.csv, models/*.flow, asymmetry.csv and the command's figures; see ch6/README.md).
func Chapter6() fs.FS {
	sub, err := fs.Sub(files, "ch6")
	if err != nil {
		panic(err) // cannot happen: ch6 is embedded
	}
	return sub
}
