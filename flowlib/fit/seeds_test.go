package fit

import (
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// A table written by Write reads back the same from a file and from an fs.FS; what is not a table is an error
// that names the file.
func TestSeedTableRoundTrip(t *testing.T) {
	tab := &SeedTable{Command: "flows train -seeds 1,2", Backend: "go", Rows: []SeedRow{{Seed: 1, TrainNLL: 1.2, HeldOut: 1.25}},
		TrainMax: 1.2, HeldOutMean: 1.25}
	path := filepath.Join(t.TempDir(), "seeds.json")
	if err := tab.Write(path); err != nil {
		t.Fatal(err)
	}
	back, err := ReadSeedTable(path)
	if err != nil || back.Command != tab.Command || len(back.Rows) != 1 || back.Rows[0] != tab.Rows[0] || back.HeldOutMean != 1.25 {
		t.Fatalf("ReadSeedTable: got %+v, %v; want %+v", back, err, tab)
	}
	fsys := fstest.MapFS{"ok.json": {Data: []byte(`{"command": "flows train", "rows": [{"seed": 3}]}`)},
		"empty.json": {Data: []byte(`{"command": "flows train", "rows": []}`)}, "bad.json": {Data: []byte(`[`)}}
	if got, err := ReadSeedTableFS(fsys, "ok.json"); err != nil || got.Rows[0].Seed != 3 {
		t.Errorf("ReadSeedTableFS(ok.json): got %+v, %v", got, err)
	}
	for _, name := range []string{"empty.json", "bad.json", "missing.json"} {
		if _, err := ReadSeedTableFS(fsys, name); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("ReadSeedTableFS(%s): got error %v, want one naming the file", name, err)
		}
	}
}
