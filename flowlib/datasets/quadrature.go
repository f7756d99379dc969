package datasets

import "math"

// gaussLegendre returns the nodes and weights of the n-point Gauss–Legendre
// rule on [−1, 1] (exact for polynomials of degree ≤ 2n−1), found by Newton's
// method on the Legendre polynomial P_n.
func gaussLegendre(n int) (nodes, weights []float64) {
	nodes = make([]float64, n)
	weights = make([]float64, n)
	for i := 0; i < (n+1)/2; i++ {
		x := math.Cos(math.Pi * (float64(i) + 0.75) / (float64(n) + 0.5))
		var dp float64
		for range 100 {
			p0, p1 := 1.0, x // P_0, P_1; the recurrence climbs to P_n.
			for k := 2; k <= n; k++ {
				p0, p1 = p1, ((2*float64(k)-1)*x*p1-(float64(k)-1)*p0)/float64(k)
			}
			dp = float64(n) * (x*p1 - p0) / (x*x - 1) // P_n'(x)
			dx := p1 / dp
			x -= dx
			if math.Abs(dx) < 1e-15 {
				break
			}
		}
		w := 2 / ((1 - x*x) * dp * dp)
		nodes[i], nodes[n-1-i] = -x, x
		weights[i], weights[n-1-i] = w, w
	}
	return nodes, weights
}
