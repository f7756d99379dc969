// Package plots draws the figures of the flowlib notebooks and command-line programs:
// line plots, density histograms, 2D scatter plots, density heatmaps, warped coordinate
// grids, multi-panel layouts, frame sliders, live Go-backed controls and a live training view.
//
// Every figure is drawn with gonum.org/v1/plot and rendered to PNG (or SVG); in HTML it is an
// <img> with the PNG inlined as a data: URL. Nothing is loaded from the network, so figures render
// in a live GoNB notebook, in the saved .ipynb and in `jupyter nbconvert --to html` alike.
// This is the only flowlib package that imports gonbui.
//
// Usage in a notebook cell:
//
//	fig := plots.MustLine([]plots.Series{
//		{Name: "train", Y: trainNLL},
//		{Name: "held-out", X: steps, Y: heldOutNLL},
//	}, plots.Title("NLL"), plots.XLabel("step"), plots.YLabel("nats"))
//	fig.Display()                   // in a notebook
//	err := fig.Save("nll.png")      // .png, .svg or .html, by extension
//
// Host-side data are plain Go values: a point set is [][]float64 (one row per point), a series is
// []float64. Constructors validate their input and return an error naming the offending argument;
// each has a MustX twin that panics instead, for notebooks.
//
// # Figures that read right
//
// Every figure gets these without asking:
//   - Text is DejaVu Sans, embedded in the binary, which has the mathematics the chapters write
//     (⁻¹ ² ∼ ≈ φ σ ε θ ∘ ⊙ → ≤ ≥ ∈ ∫ ∂ x₁ zᵢ); [HasGlyphs] checks a string. SVG output embeds
//     the font too ([SVGEmbedFonts]).
//   - [Scatter], [Heatmap] and [WarpedGrid] plot a 2-D space at equal aspect: one data unit is
//     as long on x as on y, so a square grid is square. The figure is trimmed to the data's
//     aspect within Size. [FreeAspect] turns it off, [EqualAspect] turns it on for a [Line].
//   - The legend goes where the data are not: the corner (or the middle of the top or bottom
//     edge) with the least data under it, else outside the data area.
//   - Adjacent tick labels always differ ("1.2001 1.2003", never "1.2 1.2").
//   - Data cut off by a user-set XRange or YRange are marked with a triangle at the edge they
//     are past, and counted under the plot ("▲ clipped: 9 bars above y = 1.1 (max 1.455)");
//     values outside a colour range (ZRange) are drawn in the end colour, marked ▲ or ▼ at
//     that end of the colour bar, and counted.
//
// Panels that are compared should share one colour scale. [HeatmapRow] draws grids side by
// side on one scale with a single colour bar; ZRange fixes the scale (vmin, vmax) of one
// heatmap, and [ColorRangeOf] gives the range that covers several:
//
//	fig := plots.MustHeatmapRow([]plots.Grid{truth, step100, step1000},
//		[]string{"true density", "step 100", "step 1000"},
//		plots.ColorLabel("p(x)"), plots.Size(300, 300))
//	lo, hi := plots.ColorRangeOf(truth, model)   // or: one scale for separate heatmaps
//	plots.MustHeatmap(model, plots.ZRange(lo, hi))
//
// Interactivity comes in two kinds:
//   - [FrameSlider] embeds precomputed frames and an HTML range slider with a small inline script
//     in the figure itself: it works in a live notebook and in exported HTML, with no kernel.
//   - [InteractSlider] and [InteractSelect] recompute a figure in Go when a control moves. The
//     control lives while its cell runs and ends itself, with a note, as soon as another cell of
//     the notebook is waiting (so Run All never waits behind it); run its cell again to use it.
//     When no browser front end answers (headless nbconvert execution, FLOWLIB_HEADLESS=1, or not
//     running in GoNB), they render a static figure for the default value and return within seconds.
//
// [TrainingView] shows a progress line and a loss curve that update in place while a cell trains,
// and prints plain-text progress lines when not running in a notebook.
package plots
