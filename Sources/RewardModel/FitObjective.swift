/// Value, gradient and (optionally) Hessian of an adapt objective at θ.
struct Evaluation {
    var value: Double
    var gradient: [Double]
    var hessian: [Double]
    /// Fraction of comparisons whose logit favours the chosen item.
    var accuracy: Double
}

protocol FitObjective {
    var dimension: Int { get }
    func evaluate(_ theta: [Double], hessian: Bool) -> Evaluation
}

/// Label-noise-corrected pairwise loss (rDPO): ℓ_ε(h) = [(1−ε)ℓ(h) − εℓ(−h)]/(1−2ε), ℓ(h) = −log σ(h).
/// It can be negative per sample; its curvature in h is σ(h)σ(−h) for every ε.
struct PairwiseLoss {
    let noise: Double

    func value(_ h: Double) -> Double {
        ((1 - noise) * Numerics.softplus(-h) - noise * Numerics.softplus(h)) / (1 - 2 * noise)
    }

    func derivative(_ h: Double) -> Double {
        (-(1 - noise) * Numerics.sigmoid(-h) - noise * Numerics.sigmoid(h)) / (1 - 2 * noise)
    }

    func curvature(_ h: Double) -> Double {
        Numerics.sigmoid(h) * Numerics.sigmoid(-h)
    }
}

/// Σ weight·ℓ_ε(h_i(θ)) + (λ/2)‖θ − θ̄‖² with closed-form per-comparison derivatives.
struct PairwiseObjective: FitObjective {
    let examples: [PreparedComparison]
    let loss: PairwiseLoss
    let prior: Double
    let anchor: [Double]

    var dimension: Int { anchor.count }

    func evaluate(_ theta: [Double], hessian wantHessian: Bool) -> Evaluation {
        let k = theta.count
        var value = 0.0
        var gradient = [Double](repeating: 0, count: k)
        var hessian = wantHessian ? [Double](repeating: 0, count: k * k) : []
        var correct = 0.0
        for example in examples {
            let d = example.features.derivatives(theta: theta, order: wantHessian ? 2 : 1)
            let w = example.weight
            value += w * loss.value(d.value)
            correct += d.value > 0 ? 1 : (d.value == 0 ? 0.5 : 0)
            let d1 = w * loss.derivative(d.value)
            for i in 0..<k { gradient[i] += d1 * d.gradient[i] }
            if wantHessian {
                let d2 = w * loss.curvature(d.value)
                for i in 0..<k {
                    let gi = d2 * d.gradient[i]
                    for j in 0..<k { hessian[i * k + j] += gi * d.gradient[j] + d1 * d.hessian[i * k + j] }
                }
            }
        }
        Self.addPrior(prior, anchor: anchor, theta: theta, value: &value, gradient: &gradient, hessian: &hessian)
        return Evaluation(value: value, gradient: gradient, hessian: hessian,
                          accuracy: examples.isEmpty ? 0 : correct / Double(examples.count))
    }

    static func addPrior(_ prior: Double, anchor: [Double], theta: [Double], value: inout Double,
                         gradient: inout [Double], hessian: inout [Double]) {
        let k = theta.count
        for i in 0..<k {
            let d = theta[i] - anchor[i]
            value += 0.5 * prior * d * d
            gradient[i] += prior * d
            if !hessian.isEmpty { hessian[i * k + i] += prior }
        }
    }
}
