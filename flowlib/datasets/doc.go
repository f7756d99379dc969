// Package datasets generates the 2-D toy data sets of the normalizing-flow
// literature on the host, seeded and reproducible, and provides what is needed
// to train on them and judge the result: a per-dimension [Standardizer] with
// its log-determinant, conversion to and from GoMLX tensors, and, for two
// moons, the exact density, its population moments and its entropy (the best
// NLL any model can reach).
//
//	x, err := datasets.Moons(2000, datasets.DefaultMoonsNoise, 1) // or datasets.Generate("moons", 2000, 1)
//	if err != nil { ... }
//	std, err := datasets.FitStandardizer(x)
//	batch, err := datasets.ToTensor(std.Transform(x)) // float32 [2000, 2]
//	// ... train a flow on batch, get its held-out nllStd in nats per point ...
//	best, stdErr, err := datasets.MoonsEntropy(datasets.DefaultMoonsNoise, 20000, 1)
//	fmt.Printf("NLL %.3f, gap to perfect %.3f ± %.3f, Gaussian baseline %.3f\n",
//		nllStd, nllStd-best, stdErr, datasets.GaussianBaselineNLL(2))
//	nllRaw := nllStd - std.LogDet() // the same model's NLL in raw units
//
// Points are [][]float64, one row per point. Every generator draws from
// [NewRand](seed) (math/rand/v2 PCG), so the same (n, seed) always gives the
// same points, and returns independent draws in random order (any prefix is a
// fair sample). Data sets: "moons" ([Moons]), "circles" ([Circles]),
// "8gaussians" ([EightGaussians]), "pinwheel" ([Pinwheel]), "checkerboard"
// ([Checkerboard]) and "spirals" ([Spirals]), following FFJORD's toy_data
// (Grathwohl et al. 2019, arXiv:1810.01367); each doc comment gives the formula
// and any departure from FFJORD.
//
// Host-side functions return an error naming the argument, what was expected
// and what was got; MustX twins panic instead, for notebooks. Functions with no
// error result (Standardizer.Transform, [MoonsLogDensity]) panic on bad shapes.
package datasets
