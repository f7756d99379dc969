package plots

import (
	"encoding/binary"
	"fmt"
	"sync"

	"codeberg.org/go-fonts/dejavu/dejavusans"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
)

// FontTypeface is the typeface of every text in a figure: DejaVu Sans, embedded in the binary
// (Go module codeberg.org/go-fonts/dejavu), so figures render the same everywhere, offline.
//
// It replaces gonum's default Liberation fonts because the notebooks write mathematics in
// titles and labels — ⁻¹ ² ∼ ≈ φ σ ε θ ∘ ⊙ → ≤ ≥ ∈ ∫ ∂ x₁ zᵢ — and Liberation has no glyph for
// several of them (it draws an empty box); DejaVu Sans has them all. [HasGlyphs] checks a string.
const FontTypeface font.Typeface = "DejaVu"

var registerFont = sync.OnceValue(func() *sfnt.Font {
	f, err := opentype.Parse(withoutKerning(dejavusans.TTF))
	if err != nil {
		panic(fmt.Sprintf("plots: parsing the embedded DejaVu Sans font: %v", err))
	}
	// gonum's text handler looks faces up in font.DefaultCache; adding a typeface there does not
	// change gonum's own default (Liberation) for plots made elsewhere.
	font.DefaultCache.Add(font.Collection{{Font: font.Font{Typeface: FontTypeface, Variant: "Sans"}, Face: f}})
	return f
})

// withoutKerning returns a copy of the TrueType font ttf with its kerning tables ("kern", "GPOS")
// renamed, so that nothing finds them. gonum/plot v0.17 applies DejaVu's kerning pairs too
// strongly in rendered text (the "o" of "To" runs into the T's stem, "LT" collide), while its
// layout measures strings differently; unkerned text, as with gonum's own Liberation fonts,
// reads right. TestFontIsNotKerned checks it.
func withoutKerning(ttf []byte) []byte {
	out := append([]byte(nil), ttf...)
	if len(out) < 12 {
		return out
	}
	n := int(binary.BigEndian.Uint16(out[4:6]))
	for i := range n {
		rec := 12 + 16*i
		if rec+4 > len(out) {
			break
		}
		switch string(out[rec : rec+4]) {
		case "kern":
			copy(out[rec:rec+4], "kerm") // one below "kern": the tags must stay sorted
		case "GPOS":
			copy(out[rec:rec+4], "GPOR")
		}
	}
	return out
}

// sansFont returns the figures' font, DejaVu Sans, at size points.
func sansFont(size float64) font.Font {
	registerFont()
	return font.Font{Typeface: FontTypeface, Variant: "Sans", Size: vg.Points(size)}
}

// HasGlyphs reports whether the figures' font has a glyph for every rune of s, and returns the
// runes it lacks (in order of first appearance) otherwise. Text with a missing glyph renders
// as an empty box.
func HasGlyphs(s string) (ok bool, missing []rune) {
	return fontHasGlyphs(registerFont(), s)
}

func fontHasGlyphs(f *sfnt.Font, s string) (bool, []rune) {
	var buf sfnt.Buffer
	seen := map[rune]bool{}
	var missing []rune
	for _, r := range s {
		if seen[r] || r == '\n' || r == '\t' {
			continue
		}
		seen[r] = true
		if idx, err := f.GlyphIndex(&buf, r); err != nil || idx == 0 {
			missing = append(missing, r)
		}
	}
	return len(missing) == 0, missing
}
