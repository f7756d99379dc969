package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestBuild converts testdata/in (two tiny chapters and a notebook that is not one) with a
// placeholder KaTeX, and checks each kind of content on the pages.
func TestBuild(t *testing.T) {
	out := t.TempDir()
	rep, err := Build(Options{In: "testdata/in", Out: out, KaTeX: "testdata/katex"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(rep.Chapters, " "), "01-tiny.html 02-second.html"; got != want {
		t.Errorf("chapters: got %q, want %q", got, want)
	}
	if got, want := strings.Join(rep.Solutions, " "), "01-tiny.solutions.html"; got != want {
		t.Errorf("solutions: got %q, want %q", got, want)
	}
	if len(rep.Skipped) != 1 || rep.Skipped[0] != "00-demo.ipynb" {
		t.Errorf("skipped: got %v, want [00-demo.ipynb]", rep.Skipped)
	}
	// Images: the figure's <img> and the image/png output; formulas: three in the prose, one in
	// the Markdown output, one on the solutions page (the index's summary is not counted twice).
	if rep.Images != 2 || rep.Sliders != 1 || rep.LiveControls != 1 || rep.Formulas != 5 {
		t.Errorf("report: got %s, want 2 images, 1 slider, 1 live control, 5 formulas", rep)
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	index, ch1, ch2 := read("index.html"), read("01-tiny.html"), read("02-second.html")
	sol1 := read("01-tiny.solutions.html")

	contains := func(page, name string, wants ...string) {
		t.Helper()
		for _, w := range wants {
			if !strings.Contains(page, w) {
				t.Errorf("%s: want %q in the page", name, w)
			}
		}
	}
	contains(index, "index.html",
		`<a class="toc-title" href="01-tiny.html">A tiny chapter</a>`,
		`It teaches <span class="math inline">a_1 + b_2</span> and stars.`, // the byline dropped
		`href="02-second.html">The second one</a>`)
	contains(index, "index.html", `<a class="toc-solutions" href="01-tiny.solutions.html">solutions to the exercises</a>`)
	contains(ch1, "01-tiny.html", `<p class="solutions-link"><a href="01-tiny.solutions.html">Solutions to the exercises of chapter 1 →</a></p>`)
	contains(sol1, "01-tiny.solutions.html",
		`<title>Solutions to chapter 1 — A tiny chapter · Normalizing flows in Go</title>`,
		`<a class="prev" rel="prev" href="01-tiny.html">← Chapter 1: A tiny chapter</a>`,
		`<span class="math inline">x = 2</span>`)
	if strings.Contains(ch2, "solutions-link") {
		t.Errorf("02-second.html: a solutions link, but chapter 2 has no solutions")
	}
	if strings.Contains(index, "chapter 1 of 2") {
		t.Errorf("index.html: the byline should not be in the summary")
	}
	contains(ch1, "01-tiny.html",
		`<span class="math inline">x_i * y_i</span>`,                // TeX untouched by Markdown
		`<span class="math display">\sum_{i=1}^n x_i^2</span>`,      // display math inside a paragraph
		`$5 costs nothing, code <code>$HOME</code>`,                 // a lone dollar, and one in code
		`<a href="02-second.html#top">link</a>`,                     // links between notebooks
		`<table>`,                                                   // GitHub tables
		`<pre class="stream stdout">one`+"\n"+`two &lt;b&gt;</pre>`, // streams merged and escaped
		`<details class="code"><summary><span class="tag">Go · 3 lines</span> <code>fmt.Println(1)</code>`,
		`<img alt="figure" src="data:image/png;base64,iVBOR`, // image/png as a data URI
		bookLiveNote, // the live control's note
		`<span class="math inline">\alpha</span>`, // math in a Markdown output
		`<a class="prev" rel="prev" href="index.html">`, `<a class="next" rel="next" href="02-second.html">`)
	if strings.Contains(ch1, "FLOWLIB_HEADLESS") {
		t.Errorf("01-tiny.html: the headless note should be replaced by the book's")
	}
	contains(ch2, "02-second.html", `<div class="flowlib-slider" id="s"></div>`,
		`<a class="prev" rel="prev" href="01-tiny.html">`, `<a class="next" rel="next" href="index.html">`)

	// Nothing the pages load may come from elsewhere: every src and stylesheet href is relative.
	abs := regexp.MustCompile(`(?:src|href)="(?:https?:)?//[^"]*"`)
	for name, page := range map[string]string{"index.html": index, "01-tiny.html": ch1, "02-second.html": ch2} {
		for _, m := range abs.FindAllString(page, -1) {
			if strings.HasPrefix(m, "src") || strings.Contains(page, `<link rel="stylesheet" `+m) {
				t.Errorf("%s: loads from outside the site: %s", name, m)
			}
		}
	}
	for _, f := range []string{"assets/book.css", "assets/book.js", "assets/katex/katex.min.js",
		"assets/katex/katex.min.css", "assets/katex/fonts/KaTeX_Main-Regular.woff2"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("asset: %v", err)
		}
	}
}

// TestBuildErrors: no chapters, two chapters with one number, and KaTeX missing, are errors that
// say what is wrong.
func TestBuildErrors(t *testing.T) {
	twice := t.TempDir()
	for _, name := range []string{"02-second.ipynb", "02-second-again.ipynb"} {
		b, err := os.ReadFile("testdata/in/02-second.ipynb")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(twice, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Build(Options{In: twice, Out: t.TempDir(), KaTeX: "testdata/katex"}); err == nil ||
		!strings.Contains(err.Error(), "are both chapter 2") {
		t.Errorf("two chapter 2: got error %v, want one naming both", err)
	}
	// Solutions to a chapter that is not there, and two solutions notebooks for one chapter.
	copyIn := func(dir string, names map[string]string) {
		for to, from := range names {
			b, err := os.ReadFile(filepath.Join("testdata/in", from))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, to), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	orphan, dup := t.TempDir(), t.TempDir()
	copyIn(orphan, map[string]string{"02-second.ipynb": "02-second.ipynb", "01-tiny.solutions.ipynb": "01-tiny.solutions.ipynb"})
	copyIn(dup, map[string]string{"01-tiny.ipynb": "01-tiny.ipynb", "01-a.solutions.ipynb": "01-tiny.solutions.ipynb",
		"01-b.solutions.ipynb": "01-tiny.solutions.ipynb"})
	if _, err := Build(Options{In: orphan, Out: t.TempDir(), KaTeX: "testdata/katex"}); err == nil ||
		!strings.Contains(err.Error(), "01-tiny.solutions.html holds solutions to chapter 1, which is not in") {
		t.Errorf("solutions without their chapter: got error %v", err)
	}
	if _, err := Build(Options{In: dup, Out: t.TempDir(), KaTeX: "testdata/katex"}); err == nil ||
		!strings.Contains(err.Error(), "both hold solutions to chapter 1") {
		t.Errorf("two solutions to chapter 1: got error %v", err)
	}
	if _, err := Build(Options{In: t.TempDir(), Out: t.TempDir(), KaTeX: "testdata/katex"}); err == nil ||
		!strings.Contains(err.Error(), "no chapter notebooks") {
		t.Errorf("empty input: got error %v, want one saying there are no chapter notebooks", err)
	}
	if _, err := Build(Options{In: "testdata/in", Out: t.TempDir(), KaTeX: t.TempDir()}); err == nil ||
		!strings.Contains(err.Error(), "npm ci --prefix tools/book") {
		t.Errorf("no KaTeX: got error %v, want one saying how to install it", err)
	}
}

// The repository's own notebooks make a book (unexecuted, so without outputs): every chapter has its
// number once, and every solutions notebook names a chapter that is there. This fails in the unit tests,
// before the notebooks run, when a new notebook's heading does not fit.
func TestBuildRepositoryNotebooks(t *testing.T) {
	rep, err := Build(Options{In: "../../notebooks", Out: t.TempDir(), KaTeX: "testdata/katex"})
	if err != nil {
		t.Fatal(err)
	}
	sols, _ := filepath.Glob("../../notebooks/*.solutions.ipynb")
	if len(rep.Chapters) != 6 || len(rep.Solutions) != len(sols) {
		t.Errorf("got %d chapters and %d solutions pages (%v); want 6 and %d", len(rep.Chapters), len(rep.Solutions), rep.Solutions, len(sols))
	}
}
