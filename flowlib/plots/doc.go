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
