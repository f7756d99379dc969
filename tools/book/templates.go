package main

import "html/template"

// page is what a template renders: each knows its file name.
type page interface{ file() string }

type indexPage struct{ Chapters []*chapter }

type chapterPage struct {
	Chapter  *chapter
	Chapters []*chapter
}

func (indexPage) file() string     { return "index.html" }
func (p chapterPage) file() string { return p.Chapter.File }

// pages are the site's two templates. Every URL in them is relative, under the site's folder:
// the book works from file:// and from any static host, with no request elsewhere.
var pages = template.Must(template.New("").Funcs(template.FuncMap{"dict": dict}).Parse(`
{{define "head"}}<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.}}</title>
<link rel="stylesheet" href="assets/katex/katex.min.css">
<link rel="stylesheet" href="assets/book.css">
<script defer src="assets/katex/katex.min.js"></script>
<script defer src="assets/book.js"></script>
</head>
{{end}}

{{define "top"}}<header class="top">
<a class="home" href="index.html">Normalizing flows in Go</a>
<nav class="chapters">{{range .Chapters}}<a href="{{.File}}" title="{{.Title}}"{{if eq .File $.Current}} class="current"{{end}}>{{.Number}}</a>{{end}}</nav>
</header>
{{end}}

{{define "pager"}}<nav class="pager">
{{with .Prev}}<a class="prev" rel="prev" href="{{.File}}">← Chapter {{.Number}}: {{.Short}}</a>{{else}}<a class="prev" rel="prev" href="index.html">← Contents</a>{{end}}
{{with .Next}}<a class="next" rel="next" href="{{.File}}">Chapter {{.Number}}: {{.Short}} →</a>{{else}}<a class="next" rel="next" href="index.html">Contents →</a>{{end}}
</nav>
{{end}}

{{define "foot"}}<footer>Made by <code>tools/book</code> from the executed GoNB notebooks in <code>notebooks/</code>: every number, figure and
slider here is the output the notebook printed when it ran. To change the code and rerun it, open the notebook
in Jupyter (<code>./start.sh</code>).</footer>
</body>
</html>
{{end}}

{{define "index"}}{{template "head" "Normalizing flows in Go"}}<body class="index">
{{template "top" (dict "Chapters" .Chapters "Current" "")}}
<main>
<h1>Normalizing flows in Go</h1>
<p class="lead">Six chapters, from one invertible map of the line to a family of trained flows, each a
<a href="https://github.com/janpfeifer/gonb">GoNB</a> notebook run in Go with <b>flowlib</b>. Read them in order:
each one builds on the last. The code cells are folded; open one to read it. Sliders move without a kernel.</p>
<p class="start"><a href="{{(index .Chapters 0).File}}">Start with chapter {{(index .Chapters 0).Number}} →</a></p>
<ol class="toc">
{{range .Chapters}}<li value="{{.Number}}"><a class="toc-title" href="{{.File}}">{{.Short}}</a>{{with .Solutions}} · <a class="toc-solutions" href="{{.File}}">solutions to the exercises</a>{{end}}
<div class="summary">{{.Summary}}</div></li>
{{end}}</ol>
</main>
{{template "foot"}}{{end}}

{{define "chapter"}}{{template "head" (printf "%s · Normalizing flows in Go" .Chapter.Title)}}<body class="chapter">
{{template "top" (dict "Chapters" .Chapters "Current" .Chapter.File)}}
{{template "pager" .Chapter}}
<main>
<p class="code-toggle"><button type="button" id="toggle-code">Show all code</button></p>
{{.Chapter.Body}}
{{with .Chapter.Solutions}}<p class="solutions-link"><a href="{{.File}}">Solutions to the exercises of chapter {{$.Chapter.Number}} →</a></p>{{end}}
</main>
{{template "pager" .Chapter}}
{{template "foot"}}{{end}}

{{define "solutions"}}{{template "head" (printf "%s · Normalizing flows in Go" .Chapter.Title)}}<body class="chapter solutions">
{{template "top" (dict "Chapters" .Chapters "Current" .Chapter.Of.File)}}
<nav class="pager"><a class="prev" rel="prev" href="{{.Chapter.Of.File}}">← Chapter {{.Chapter.Of.Number}}: {{.Chapter.Of.Short}}</a></nav>
<main>
<p class="code-toggle"><button type="button" id="toggle-code">Show all code</button></p>
{{.Chapter.Body}}
</main>
<nav class="pager"><a class="prev" rel="prev" href="{{.Chapter.Of.File}}">← Chapter {{.Chapter.Of.Number}}: {{.Chapter.Of.Short}}</a></nav>
{{template "foot"}}{{end}}
`))

// dict builds a template argument from key-value pairs.
func dict(kv ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}
