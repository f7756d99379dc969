package main

import (
	"bytes"
	"embed"
	"fmt"
	"html"
	"html/template"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/flowsgo/flows/internal/nbformat"
	"github.com/yuin/goldmark"
)

// Options says where Build reads and writes.
type Options struct {
	In    string // a folder of executed notebooks (*.ipynb with outputs)
	Out   string // the site's folder; created, and its index.html, chapter pages and assets/ overwritten
	KaTeX string // KaTeX's dist folder (katex.min.js, katex.min.css, fonts/), from npm
}

// Report counts what Build wrote; the browser test checks the same things in the pages.
type Report struct {
	Chapters     []string // page file names, in order
	Solutions    []string // solutions page file names, in chapter order
	Skipped      []string // notebooks that are not chapters (no "# Chapter N — title" heading)
	Images       int      // <img> in outputs, frames of sliders included
	Sliders      int      // plots.FrameSlider figures
	LiveControls int      // live controls shown as their static figure
	Formulas     int      // math spans in prose and Markdown outputs
}

func (r *Report) String() string {
	return fmt.Sprintf("%d chapter pages + %d solutions pages + index; %d images, %d frame sliders, %d live controls (static), %d formulas; skipped %v",
		len(r.Chapters), len(r.Solutions), r.Images, r.Sliders, r.LiveControls, r.Formulas, r.Skipped)
}

// chapter is one notebook turned into a page.
type chapter struct {
	Number     int
	File       string // e.g. 01-change-of-variables.html
	Title      string // the notebook's heading, e.g. "Chapter 1 — Change of variables in one dimension"
	Short      string // the heading without "Chapter N — "
	Summary    template.HTML
	Body       template.HTML
	Prev, Next *chapter
	Solutions  *chapter // the page of solutions to this chapter's exercises, if any
	Of         *chapter // on a solutions page: its chapter
}

// chapterHeading is the first line of a chapter's first Markdown cell, solutionsHeading that of
// the notebook of solutions to a chapter's exercises ("# Solutions to chapter 1 — title").
var (
	chapterHeading   = regexp.MustCompile(`^#\s+Chapter\s+(\d+)\s*[—–:-]\s*(.+?)\s*$`)
	solutionsHeading = regexp.MustCompile(`^#\s+Solutions to chapter\s+(\d+)\b\s*[—–:-]?\s*(.*?)\s*$`)
)

//go:embed site
var siteFiles embed.FS

// Build turns the executed notebooks in opt.In into the site in opt.Out.
func Build(opt Options) (*Report, error) {
	paths, err := filepath.Glob(filepath.Join(opt.In, "*.ipynb"))
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	md := newMarkdown()
	rep := &Report{}
	var chapters, solutions []*chapter
	for _, p := range paths {
		nb, err := nbformat.Read(p)
		if err != nil {
			return nil, err
		}
		ch, err := renderChapter(md, nb, strings.TrimSuffix(filepath.Base(p), ".ipynb")+".html", rep)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		switch {
		case ch == nil:
			rep.Skipped = append(rep.Skipped, filepath.Base(p))
		case ch.Of != nil:
			solutions = append(solutions, ch)
		default:
			chapters = append(chapters, ch)
		}
	}
	if len(chapters) == 0 {
		return nil, fmt.Errorf("book: no chapter notebooks (first Markdown cell \"# Chapter N — title\") in %s", opt.In)
	}
	sort.SliceStable(chapters, func(i, j int) bool { return chapters[i].Number < chapters[j].Number })
	for i, ch := range chapters {
		if i > 0 && chapters[i-1].Number == ch.Number {
			return nil, fmt.Errorf("book: %s and %s are both chapter %d", chapters[i-1].File, ch.File, ch.Number)
		}
		if i > 0 {
			ch.Prev = chapters[i-1]
		}
		if i+1 < len(chapters) {
			ch.Next = chapters[i+1]
		}
		rep.Chapters = append(rep.Chapters, ch.File)
	}
	for _, sol := range solutions {
		i := sort.Search(len(chapters), func(i int) bool { return chapters[i].Number >= sol.Of.Number })
		if i == len(chapters) || chapters[i].Number != sol.Of.Number {
			return nil, fmt.Errorf("book: %s holds solutions to chapter %d, which is not in %s", sol.File, sol.Of.Number, opt.In)
		}
		if ch := chapters[i]; ch.Solutions != nil {
			return nil, fmt.Errorf("book: %s and %s both hold solutions to chapter %d", ch.Solutions.File, sol.File, ch.Number)
		}
		sol.Of, chapters[i].Solutions = chapters[i], sol
	}
	for _, ch := range chapters {
		if ch.Solutions != nil {
			rep.Solutions = append(rep.Solutions, ch.Solutions.File)
		}
	}

	if err := os.MkdirAll(opt.Out, 0o755); err != nil {
		return nil, err
	}
	if err := copyAssets(opt); err != nil {
		return nil, err
	}
	write := func(name string, data any) error {
		var b bytes.Buffer
		if err := pages.ExecuteTemplate(&b, name, data); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(opt.Out, data.(page).file()), b.Bytes(), 0o644)
	}
	if err := write("index", indexPage{Chapters: chapters}); err != nil {
		return nil, err
	}
	for _, ch := range chapters {
		if err := write("chapter", chapterPage{Chapter: ch, Chapters: chapters}); err != nil {
			return nil, err
		}
		if ch.Solutions != nil {
			if err := write("solutions", chapterPage{Chapter: ch.Solutions, Chapters: chapters}); err != nil {
				return nil, err
			}
		}
	}
	return rep, nil
}

// renderChapter renders a notebook, or returns nil if it is neither a chapter nor a chapter's
// solutions. A solutions page comes back with Of set to a placeholder holding the chapter's number.
func renderChapter(md goldmark.Markdown, nb *nbformat.Notebook, file string, rep *Report) (*chapter, error) {
	var first string
	for _, c := range nb.Cells {
		if c.CellType == "markdown" {
			first = string(c.Source)
			break
		}
	}
	heading, rest, _ := strings.Cut(first, "\n")
	title := strings.TrimSpace(strings.TrimPrefix(heading, "#"))
	var ch *chapter
	if m := chapterHeading.FindStringSubmatch(heading); m != nil {
		n, _ := strconv.Atoi(m[1])
		ch = &chapter{Number: n, File: file, Title: title, Short: m[2]}
	} else if m := solutionsHeading.FindStringSubmatch(heading); m != nil {
		n, _ := strconv.Atoi(m[1])
		ch = &chapter{Number: n, File: file, Title: title, Short: "solutions", Of: &chapter{Number: n}}
	} else {
		return nil, nil
	}
	var err error
	var count Report // The summary repeats prose: count its formulas only once, in the body.
	if ch.Summary, err = renderMarkdown(md, summaryOf(rest), &count); err != nil {
		return nil, err
	}
	var b strings.Builder
	for i, c := range nb.Cells {
		switch c.CellType {
		case "markdown":
			h, err := renderMarkdown(md, string(c.Source), rep)
			if err != nil {
				return nil, fmt.Errorf("cell %d: %w", i, err)
			}
			fmt.Fprintf(&b, "<section class=\"prose\">\n%s</section>\n", h)
		case "code":
			b.WriteString(codeCell(string(c.Source)))
			out, err := renderOutputs(md, c.Outputs, rep)
			if err != nil {
				return nil, fmt.Errorf("cell %d: %w", i, err)
			}
			if out != "" {
				fmt.Fprintf(&b, "<div class=\"outputs\">\n%s</div>\n", out)
			}
		}
	}
	ch.Body = template.HTML(b.String())
	return ch, nil
}

// summaryOf returns a chapter's opening for the index: its first paragraph, without a leading
// byline in italics ("*The normalizing-flows series in Go, chapter 1 of 6.*"), continued while its
// sentence is unfinished (chapter 4 breaks its first sentence around a formula), and cut back to
// its last full sentence when it ends by announcing what follows (":").
func summaryOf(md string) string {
	var paras []string
	for _, p := range strings.Split(strings.TrimSpace(md), "\n\n") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if strings.HasPrefix(p, "#") {
			break
		}
		if len(paras) == 0 {
			p = byline.ReplaceAllString(p, "")
		}
		paras = append(paras, p)
		if len(paras) == 3 || strings.ContainsAny(p[len(p)-1:], ".?!:") {
			break
		}
	}
	s := strings.Join(paras, "\n\n")
	if strings.HasSuffix(s, ":") {
		if i := strings.LastIndexAny(s, ".?!"); i > 0 && i+1 < len(s) && (s[i+1] == ' ' || s[i+1] == '\n') {
			s = s[:i+1]
		}
	}
	return s
}

var byline = regexp.MustCompile(`^\*[^*\n]+\.\*\s+`)

// ipynbLink is a link to another notebook, which in the book is its page.
var ipynbLink = regexp.MustCompile(`href="([^":/#]+)\.ipynb(#[^"]*)?"`)

func renderMarkdown(md goldmark.Markdown, src string, rep *Report) (template.HTML, error) {
	var b bytes.Buffer
	if err := md.Convert([]byte(src), &b); err != nil {
		return "", err
	}
	h := ipynbLink.ReplaceAllString(b.String(), `href="$1.html$2"`)
	rep.Formulas += strings.Count(h, `<span class="math `)
	return template.HTML(h), nil
}

// codeCell is a code cell, collapsed: the summary names it by its first meaningful line.
func codeCell(src string) string {
	src = strings.TrimRight(src, "\n")
	if src == "" {
		return ""
	}
	lines := strings.Split(src, "\n")
	label := ""
	for _, l := range lines {
		if t := strings.TrimSpace(l); t != "" && t != "%%" {
			label = t
			break
		}
	}
	if len(label) > 90 {
		label = label[:strings.LastIndex(label[:90], " ")+1] + "…"
	}
	noun := "lines"
	if len(lines) == 1 {
		noun = "line"
	}
	return fmt.Sprintf("<details class=\"code\"><summary><span class=\"tag\">Go · %d %s</span> <code>%s</code></summary>"+
		"<pre><code class=\"language-go\">%s</code></pre></details>\n",
		len(lines), noun, html.EscapeString(label), html.EscapeString(src))
}

// mimeOrder is the preference among a display's representations (JupyterLab's, without scripts).
var mimeOrder = []string{"text/html", "text/markdown", "text/latex", "image/svg+xml", "image/png", "image/jpeg", "text/plain"}

// liveNote is the note a live control leaves when it ends or cannot start (flowlib/plots/live.go:
// noteHeadless, noteNoFront, the "live control ended..." notes, inside a .flowlib-live-ended block;
// older flowlib wrote "(static figure: ...)" in a plain block). The book says why it is static.
var liveNote = regexp.MustCompile(`\(?(?:static figure: [^<()]*|live control ended[^<()]*)\)?`)

const bookLiveNote = "static figure: in the notebook this control is live (run the cell in Jupyter and move it)"

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*[A-Za-z]")

func renderOutputs(md goldmark.Markdown, outs []nbformat.Output, rep *Report) (string, error) {
	var b strings.Builder
	for i := 0; i < len(outs); i++ {
		o := outs[i]
		switch o.OutputType {
		case "stream":
			text := string(o.Text)
			for i+1 < len(outs) && outs[i+1].OutputType == "stream" && outs[i+1].Name == o.Name {
				i++
				text += string(outs[i].Text)
			}
			fmt.Fprintf(&b, "<pre class=\"stream %s\">%s</pre>\n", html.EscapeString(o.Name),
				html.EscapeString(ansi.ReplaceAllString(strings.TrimRight(text, "\n"), "")))
		case "error":
			tb := ansi.ReplaceAllString(strings.Join(o.Traceback, "\n"), "")
			fmt.Fprintf(&b, "<pre class=\"error\">%s: %s\n%s</pre>\n", html.EscapeString(o.EName),
				html.EscapeString(o.EValue), html.EscapeString(tb))
		case "display_data", "execute_result", "update_display_data":
			h, err := renderData(md, o, rep)
			if err != nil {
				return "", err
			}
			b.WriteString(h)
		}
	}
	return b.String(), nil
}

func renderData(md goldmark.Markdown, o nbformat.Output, rep *Report) (string, error) {
	for _, mime := range mimeOrder {
		if _, ok := o.Data[mime]; !ok {
			continue
		}
		v := o.DataText(mime)
		switch mime {
		case "text/html":
			rep.Images += strings.Count(v, "<img")
			rep.Sliders += strings.Count(v, `class="flowlib-slider"`)
			if liveNote.MatchString(v) {
				rep.LiveControls++
				v = liveNote.ReplaceAllString(v, bookLiveNote)
				return "<div class=\"output html book-live\">" + v + "</div>\n", nil
			}
			return "<div class=\"output html\">" + v + "</div>\n", nil
		case "text/markdown", "text/latex":
			h, err := renderMarkdown(md, v, rep)
			return "<div class=\"output markdown\">" + string(h) + "</div>\n", err
		case "image/svg+xml":
			return "<div class=\"output svg\">" + v + "</div>\n", nil
		case "image/png", "image/jpeg":
			rep.Images++
			data := strings.Join(strings.Fields(v), "")
			return fmt.Sprintf("<div class=\"output image\"><img alt=\"figure\" src=\"data:%s;base64,%s\"></div>\n", mime, data), nil
		case "text/plain":
			return "<pre class=\"output text\">" + html.EscapeString(v) + "</pre>\n", nil
		}
	}
	return "", nil
}

// copyAssets writes the site's own CSS and script, and KaTeX (script, style sheet, fonts).
func copyAssets(opt Options) error {
	assets := filepath.Join(opt.Out, "assets")
	err := fs.WalkDir(siteFiles, "site", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := siteFiles.ReadFile(p)
		if err != nil {
			return err
		}
		return writeFile(filepath.Join(assets, strings.TrimPrefix(p, "site/")), b)
	})
	if err != nil {
		return err
	}
	for _, f := range []string{"katex.min.js", "katex.min.css"} {
		if err := copyFile(filepath.Join(opt.KaTeX, f), filepath.Join(assets, "katex", f)); err != nil {
			return fmt.Errorf("book: KaTeX: %w (install it with: npm ci --prefix tools/book)", err)
		}
	}
	fonts, err := filepath.Glob(filepath.Join(opt.KaTeX, "fonts", "*"))
	if err != nil || len(fonts) == 0 {
		return fmt.Errorf("book: no KaTeX fonts in %s/fonts (install KaTeX with: npm ci --prefix tools/book)", opt.KaTeX)
	}
	for _, f := range fonts {
		if err := copyFile(f, filepath.Join(assets, "katex", "fonts", filepath.Base(f))); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return writeFile(to, b)
}

func writeFile(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}
