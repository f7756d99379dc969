package main

import (
	"bytes"
	"html"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// The notebooks write math as JupyterLab reads it: $...$ inline and $$...$$ displayed, possibly
// across lines and in the middle of a paragraph. Markdown would mangle TeX (_ and * are emphasis,
// \\ is an escape), so math is parsed as an inline node of its own: goldmark only offers it text
// that is not code, and its content reaches the page untouched, as
//
//	<span class="math inline">TeX</span>   or   <span class="math display">TeX</span>
//
// which the site's book.js typesets with the bundled KaTeX. Without scripts the TeX stays readable.

// kindMath is the AST kind of a math span.
var kindMath = ast.NewNodeKind("Math")

// mathNode is one $...$ or $$...$$ span; TeX is its content without the dollars.
type mathNode struct {
	ast.BaseInline
	TeX     []byte
	Display bool
}

func (n *mathNode) Kind() ast.NodeKind { return kindMath }

func (n *mathNode) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"TeX": string(n.TeX)}, nil)
}

// mathParser finds math spans: an opening $ (or $$) not followed by a space, then everything up to
// the next $ (or $$), across line breaks within the paragraph. An unclosed $, or one whose closer
// would lie beyond a backtick (in a code span), stays a dollar sign.
type mathParser struct{}

func (mathParser) Trigger() []byte { return []byte{'$'} }

func (mathParser) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, _ := block.PeekLine()
	delim := 1
	if len(line) > 1 && line[1] == '$' {
		delim = 2
	}
	if len(line) <= delim || line[delim] == ' ' || line[delim] == '\t' || line[delim] == '\n' {
		return nil
	}
	l, pos := block.Position()
	block.Advance(delim)
	var tex []byte
	for {
		line, _ := block.PeekLine()
		if line == nil {
			block.SetPosition(l, pos)
			return nil
		}
		for i := 0; i < len(line); i++ {
			switch {
			case line[i] == '\\' && i+1 < len(line):
				i++ // \$ is a TeX dollar, not a closer.
			case line[i] == '`':
				block.SetPosition(l, pos) // A code span starts first: "costs $5, see `$HOME`" has no math.
				return nil
			case line[i] == '$' && (delim == 1 || i+1 < len(line) && line[i+1] == '$'):
				if i == 0 && len(tex) == 0 {
					block.SetPosition(l, pos) // $$ with nothing inside: not math.
					return nil
				}
				block.Advance(i + delim)
				return &mathNode{TeX: append(tex, line[:i]...), Display: delim == 2}
			}
		}
		tex = append(tex, line...)
		block.AdvanceLine()
	}
}

// mathRenderer writes a math span for book.js, HTML-escaped.
type mathRenderer struct{}

func (mathRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(kindMath, func(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		n := node.(*mathNode)
		class := "math inline"
		if n.Display {
			class = "math display"
		}
		_, _ = w.WriteString(`<span class="` + class + `">` + html.EscapeString(string(bytes.TrimSpace(n.TeX))) + `</span>`)
		return ast.WalkSkipChildren, nil
	})
}

// newMarkdown returns the notebooks' Markdown dialect: CommonMark, GitHub tables and strikethrough,
// raw HTML kept (the notebooks are the project's own), heading ids for links, and math.
func newMarkdown() goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(extension.Table, extension.Strikethrough),
		goldmark.WithParserOptions(
			parser.WithAutoHeadingID(),
			// Before the other inline parsers (emphasis is 100, code spans 100 too): a $ opens math first.
			parser.WithInlineParsers(util.Prioritized(mathParser{}, 50)),
		),
		goldmark.WithRendererOptions(
			gmhtml.WithUnsafe(),
			renderer.WithNodeRenderers(util.Prioritized(mathRenderer{}, 50)),
		),
	)
}
