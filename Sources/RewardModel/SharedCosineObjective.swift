/// pal-b comparisons that share one Gram matrix (a prompt-free head, or one prompt): then w, Mw and
/// ‖u‖ are common to all of them and every per-comparison w-Hessian is
///   Hw_i = s(−(c_i (Mw)ᵀ + Mw c_iᵀ)/n³ − a_i M/n³ + 3 a_i (Mw)(Mw)ᵀ/n⁵),   a_i = wᵀc_i,
/// which is linear in (c_i, a_i). Σ ℓ'_i ∇²h_i therefore collapses to one K×K term built from
/// C = Σ ℓ'_i c_i and A = Σ ℓ'_i a_i, and only the Gauss–Newton outer products stay per comparison.
struct SharedCosineObjective: FitObjective {
    let c: [[Double]]
    let weights: [Double]
    let gram: [Double]
    let scale: Double
    let loss: PairwiseLoss
    let prior: Double
    let anchor: [Double]

    var dimension: Int { anchor.count }

    /// The fast form when every example is `.cosine` with the very same Gram buffer and scale.
    init?(_ examples: [PreparedComparison], loss: PairwiseLoss, prior: Double, anchor: [Double]) {
        guard case let .cosine(_, firstGram, firstScale)? = examples.first?.features else { return nil }
        let base = firstGram.withUnsafeBufferPointer { $0.baseAddress }
        var rows: [[Double]] = []
        for e in examples {
            guard case let .cosine(ci, gi, si) = e.features, si == firstScale,
                  gi.withUnsafeBufferPointer({ $0.baseAddress }) == base else { return nil }
            rows.append(ci)
        }
        c = rows
        weights = examples.map(\.weight)
        gram = firstGram
        scale = firstScale
        self.loss = loss
        self.prior = prior
        self.anchor = anchor
    }

    func evaluate(_ theta: [Double], hessian wantHessian: Bool) -> Evaluation {
        let k = theta.count, s = scale
        let w = Numerics.softmax(theta)
        let mw = PairFeatures.multiply(gram, w, k)
        let n = (max(Numerics.dot(w, mw), 0) + Numerics.normEpsilon * Numerics.normEpsilon).squareRoot()
        let n3 = n * n * n, n5 = n3 * n * n
        var value = 0.0, correct = 0.0
        var gradient = [Double](repeating: 0, count: k)
        var hessian = wantHessian ? [Double](repeating: 0, count: k * k) : []
        var sumC = [Double](repeating: 0, count: k), sumA = 0.0
        var g = [Double](repeating: 0, count: k)
        for (index, ci) in c.enumerated() {
            let a = Numerics.dot(w, ci)
            let h = s * a / n
            value += weights[index] * loss.value(h)
            correct += h > 0 ? 1 : (h == 0 ? 0.5 : 0)
            let d1 = weights[index] * loss.derivative(h)
            // ∇θ h = w ⊙ (gw − wᵀgw), gw = s(c/n − a·Mw/n³)
            var mean = 0.0
            for j in 0..<k {
                g[j] = s * (ci[j] / n - a * mw[j] / n3)
                mean += w[j] * g[j]
            }
            for j in 0..<k { g[j] = w[j] * (g[j] - mean) }
            for j in 0..<k { gradient[j] += d1 * g[j] }
            if wantHessian {
                let d2 = weights[index] * loss.curvature(h)
                for i in 0..<k {
                    let gi = d2 * g[i]
                    for j in 0..<k { hessian[i * k + j] += gi * g[j] }
                }
                for j in 0..<k { sumC[j] += d1 * ci[j] }
                sumA += d1 * a
            }
        }
        if wantHessian {
            var hw = [Double](repeating: 0, count: k * k)
            for i in 0..<k {
                for j in 0..<k {
                    hw[i * k + j] = s * (-(sumC[i] * mw[j] + mw[i] * sumC[j]) / n3 - sumA * gram[i * k + j] / n3
                        + 3 * sumA * mw[i] * mw[j] / n5)
                }
            }
            let curvature = PairFeatures.softmaxCurvature(w: w, hw: hw, g: gradient)
            for i in hessian.indices { hessian[i] += curvature[i] }
        }
        PairwiseObjective.addPrior(prior, anchor: anchor, theta: theta, value: &value, gradient: &gradient, hessian: &hessian)
        return Evaluation(value: value, gradient: gradient, hessian: hessian, accuracy: c.isEmpty ? 0 : correct / Double(c.count))
    }
}
