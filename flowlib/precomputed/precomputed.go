// Package precomputed holds results that take too long to compute while a reader waits, embedded in the module
// so they travel with the code wherever the notebooks are copied (the classroom image copies each notebook on
// its own):
//
//	results, err := compare.LoadFS(backend, precomputed.Chapter6(), 100)
//	table, err := fit.ReadSeedTableFS(precomputed.Chapter5(), "seeds.json")
//
// Each folder is the output of one command, named in its README.md; a test recomputes part of it and checks it
// agrees (TestStoredComparison and TestStoredRetrain in package compare, TestChapter5SeedTable in
// flowlib/cmd/flows).
package precomputed

import (
	"embed"
	"io/fs"
)

//go:embed ch5 ch6
var files embed.FS

// Chapter5 is chapter 5's seed table: its RealNVP recipe trained once per seed 1–5 on pure Go
// (seeds.json, written by `flows train -seeds 1,2,3,4,5 -table`; see ch5/README.md).
func Chapter5() fs.FS { return sub("ch5") }

// Chapter6 is chapter 6's comparison: seven flow families trained 500 steps on moons and 8 Gaussians
// (table.csv, models/*.flow, asymmetry.csv and the command's figures; see ch6/README.md).
func Chapter6() fs.FS { return sub("ch6") }

func sub(dir string) fs.FS {
	f, err := fs.Sub(files, dir)
	if err != nil {
		panic(err) // cannot happen: dir is embedded
	}
	return f
}
