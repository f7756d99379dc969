// Command book turns the executed chapter notebooks into a static web site, the book: an index
// listing the chapters with what each teaches, then one page per chapter with its prose, its code
// (folded), and its outputs as the notebook left them, figures and frame sliders included.
//
//	npm ci --prefix tools/book               # once: the pinned KaTeX (and the test's playwright-core)
//	go run ./tools/book -in "$OUT/notebooks-go" -out "$OUT/book"
//	xdg-open "$OUT/book/index.html"          # or serve the folder from any static host
//
// The input is a folder of executed notebooks (tools/nbrun -out writes them); a notebook is a
// chapter when its first Markdown cell starts with "# Chapter N — title" (the plots demo is not),
// and the solutions to chapter N's exercises when it starts with "# Solutions to chapter N — title":
// that page is linked from the end of its chapter and from the index.
// Nothing is executed: the book shows the outputs that are there.
//
// What it does with each part of a notebook:
//   - Markdown: CommonMark with GitHub tables, rendered by goldmark; $...$ and $$...$$ are parsed
//     as math (never as Markdown) and typeset in the browser by KaTeX, copied into the site.
//   - Code cells: a collapsed <details>, named by their first line.
//   - Outputs: streams as text; text/html as is (flowlib's figures are PNGs inlined in HTML, and
//     plots.FrameSlider carries its frames and its own inline script, so it moves with no kernel);
//     image/png as data: URIs; text/markdown rendered like prose. A live control (plots.Interact*)
//     was run headless and left its static figure with a note; the note now says that the control
//     is live in the notebook.
//
// Every URL in the site is relative to its folder: no CDN, no web font, no request elsewhere; it
// works from file://. tools/book/booktest.js checks that in Chromium.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

func main() {
	in := flag.String("in", "", "folder of executed notebooks (*.ipynb with outputs)")
	out := flag.String("out", "", "folder to write the site to (created)")
	katex := flag.String("katex", defaultKaTeX(), "KaTeX's dist folder (from npm ci --prefix tools/book)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: go run ./tools/book -in EXECUTED_NOTEBOOKS_DIR -out SITE_DIR [-katex DIR]")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *in == "" || *out == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	t := time.Now()
	rep, err := Build(Options{In: *in, Out: *out, KaTeX: *katex})
	if err != nil {
		fmt.Fprintln(os.Stderr, "book:", err)
		os.Exit(1)
	}
	fmt.Printf("book: %s\nbook: wrote %s in %.1f s; open %s\n", rep, *out, time.Since(t).Seconds(),
		filepath.Join(*out, "index.html"))
}

// defaultKaTeX is tools/book/node_modules/katex/dist, found from the working directory (the
// repository root, as with go run ./tools/book) or from this folder.
func defaultKaTeX() string {
	for _, d := range []string{"tools/book/node_modules/katex/dist", "node_modules/katex/dist"} {
		if _, err := os.Stat(d); err == nil {
			return d
		}
	}
	return "tools/book/node_modules/katex/dist"
}
