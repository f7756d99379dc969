package plots

import (
	"bytes"
	"go/scanner"
	"go/token"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"unicode"

	"codeberg.org/go-fonts/liberation/liberationsansregular"
	"github.com/flowsgo/flows/internal/nbformat"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// notebookGlyphs are the characters the notebooks write in titles, labels and legends.
const notebookGlyphs = "⁻¹²³ⁱ∼≈φψσμεδθλπΣΔ∘⊙−→←↦≤≥·×÷±∞₀₁₂₃ᵢⱼₖ∈∉∫∑∏∂∇√‖…–—²ᵀ′§≠≡∝"

// TestFontHasNotebookGlyphs fails if the figures' font lacks a glyph the notebooks use, and
// renders a figure with all of them (title, axis labels, legend, tick-free text).
func TestFontHasNotebookGlyphs(t *testing.T) {
	if ok, missing := HasGlyphs(notebookGlyphs); !ok {
		t.Errorf("font %s lacks glyphs for %q", FontTypeface, string(missing))
	}
	if ok, missing := HasGlyphs("a中b"); ok || string(missing) != "中" {
		t.Errorf("HasGlyphs(\"a中b\") = %v, %q; want false, \"中\"", ok, string(missing))
	}
	// Why DejaVu: the Liberation Sans that gonum embeds lacks some of them.
	lib, err := opentype.Parse(liberationsansregular.TTF)
	if err != nil {
		t.Fatal(err)
	}
	if _, missing := fontHasGlyphs(lib, notebookGlyphs); len(missing) > 0 {
		t.Logf("Liberation Sans lacks %q", string(missing))
	}
	f, err := Line([]Series{{Name: "p(x) ≈ φ(z)·|∂f⁻¹/∂x|", Y: []float64{1, 2, 3}}, {Name: "x₁ ∈ ∫ σ ε δ θ ⊙ ∘ → ≤ ≥ ∼ zᵢ", Y: []float64{3, 2, 1}}},
		Title(notebookGlyphs[:len(notebookGlyphs)/2]), XLabel(notebookGlyphs[len(notebookGlyphs)/2:]), YLabel("log|det J| ∈ ℝ"))
	if err != nil {
		t.Fatal(err)
	}
	if ok, missing := HasGlyphs("ℝ"); !ok {
		t.Errorf("font lacks %q", string(missing))
	}
	png, err := f.PNG()
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatalf("PNG: err=%v", err)
	}
	svg, err := f.SVG()
	if err != nil {
		t.Fatal(err)
	}
	if SVGEmbedFonts && !bytes.Contains(svg, []byte("@font-face")) {
		t.Errorf("SVG does not embed its font")
	}
	if !bytes.Contains(svg, []byte("DejaVu Sans")) {
		t.Errorf("SVG does not name the DejaVu Sans font family")
	}
}

// TestNotebookStringsHaveGlyphs scans every string literal in the code cells of
// notebooks/*.ipynb and fails if one holds a character the figures' font cannot draw, so a
// chapter cannot introduce a title or label that renders as empty boxes.
func TestNotebookStringsHaveGlyphs(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("..", "..", "notebooks", "*.ipynb"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no notebooks found in ../../notebooks (err=%v)", err)
	}
	seen := map[rune]bool{}
	for _, path := range paths {
		for _, lit := range notebookStrings(t, path) {
			for _, r := range lit {
				if r > unicode.MaxASCII {
					seen[r] = true
				}
			}
			if ok, missing := HasGlyphs(lit); !ok {
				t.Errorf("%s: string %q has characters the plots font cannot draw: %q", filepath.Base(path), lit, string(missing))
			}
		}
	}
	runes := make([]rune, 0, len(seen))
	for r := range seen {
		runes = append(runes, r)
	}
	sort.Slice(runes, func(i, j int) bool { return runes[i] < runes[j] })
	t.Logf("%d non-ASCII characters in notebook string literals: %s", len(runes), string(runes))
}

// notebookStrings returns the values of the Go string and rune literals in the code cells of
// the notebook at path. GoNB cells are Go with a few non-Go lines (%%, !, %): the scanner
// reports those as errors, which are ignored; literals are still found.
func notebookStrings(t *testing.T, path string) []string {
	t.Helper()
	nb, err := nbformat.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	var lits []string
	for _, c := range nb.Cells {
		if c.CellType != "code" {
			continue
		}
		src := string(c.Source)
		fset := token.NewFileSet()
		file := fset.AddFile(path, -1, len(src))
		var s scanner.Scanner
		s.Init(file, []byte(src), func(token.Position, string) {}, 0)
		for {
			_, tok, lit := s.Scan()
			if tok == token.EOF {
				break
			}
			if tok != token.STRING && tok != token.CHAR {
				continue
			}
			if v, err := strconv.Unquote(lit); err == nil {
				lits = append(lits, v)
			}
		}
	}
	return lits
}

// The figures' font has no kerning left for gonum to misapply: pairs that DejaVu kerns strongly
// ("To", "LT") get 0.
func TestFontIsNotKerned(t *testing.T) {
	f := registerFont()
	var buf sfnt.Buffer
	for _, pair := range []string{"To", "Ty", "LT", "AV"} {
		r := []rune(pair)
		i0, _ := f.GlyphIndex(&buf, r[0])
		i1, _ := f.GlyphIndex(&buf, r[1])
		k, err := f.Kern(&buf, i0, i1, fixed.I(12), font.HintingNone)
		if err == nil && k != 0 {
			t.Errorf("kerning of %q: got %v, want none", pair, k)
		}
	}
}
