import Foundation
import Tensors

/// The population Bradley–Terry baseline: one linear reward r(x) = wᵀx for everybody, fitted on the
/// pooled comparisons of all users (what personalisation is measured against). It is returned as a
/// `micro` head with K = 1 — a linear BT head that every tool can load, score and compare with.
public enum PopulationBaseline {
    public static func fitLinearBT(_ comparisons: [LabeledComparison], featureDim d: Int, l2: Double = 1,
                                   maxIterations: Int = 30) throws -> (head: RewardHead, report: AdaptReport) {
        guard d > 0 else { throw RewardModelError(.invalidInput, "feature dimension must be positive") }
        guard l2 > 0, l2.isFinite else { throw RewardModelError(.invalidInput, "l2 must be a positive number") }
        guard !comparisons.isEmpty else { throw RewardModelError(.invalidInput, "the baseline needs comparisons") }
        var differences = [Float]()
        differences.reserveCapacity(comparisons.count * d)
        for (index, c) in comparisons.enumerated() {
            guard c.chosen.count == d, c.rejected.count == d,
                  c.chosen.allSatisfy({ $0.isFinite }), c.rejected.allSatisfy({ $0.isFinite }) else {
                throw RewardModelError(.invalidInput, "comparison \(index) needs \(d) finite features per item")
            }
            for j in 0..<d { differences.append(c.chosen[j] - c.rejected[j]) }
        }
        let objective = LinearBTObjective(x: Matrix(rows: comparisons.count, cols: d, values: differences),
                                          weights: comparisons.map(\.weight), l2: l2)
        let outcome = TrustRegionNewton(maxIterations: maxIterations, gradientTolerance: 1e-6 * Double(comparisons.count))
            .minimize(objective, from: [Double](repeating: 0, count: d))
        let config = HeadConfig(kind: .micro, featureDim: d, stateDim: 1, version: "population-bt")
        let head = try RewardHead(config: config, tensors: SafeTensors(tensors: [
            "score.weight": Tensor(shape: [1, d], values: outcome.theta.map { Float($0) }),
        ]))
        let e = outcome.evaluation
        return (head, AdaptReport(comparisons: comparisons.count, iterations: outcome.iterations, objective: e.value,
                                  gradientNorm: Numerics.dot(e.gradient, e.gradient).squareRoot(),
                                  trainingAccuracy: e.accuracy, converged: outcome.converged))
    }
}

/// Σ weight·softplus(−wᵀΔx) + (λ/2)‖w‖²; the Hessian XᵀDX goes through one sgemm.
struct LinearBTObjective: FitObjective {
    let x: Matrix
    let weights: [Double]
    let l2: Double

    var dimension: Int { x.cols }

    func evaluate(_ w: [Double], hessian wantHessian: Bool) -> Evaluation {
        let n = x.rows, d = x.cols
        var margins = [Float](repeating: 0, count: n)
        BLAS.gemv(x, w.map { Float($0) }, into: &margins)
        var value = 0.0, correct = 0.0
        var slopes = [Float](repeating: 0, count: n)
        var scaled = wantHessian ? Matrix(rows: n, cols: d) : Matrix(rows: 0, cols: d)
        for i in 0..<n {
            let h = Double(margins[i])
            value += weights[i] * Numerics.softplus(-h)
            correct += h > 0 ? 1 : (h == 0 ? 0.5 : 0)
            slopes[i] = Float(-weights[i] * Numerics.sigmoid(-h))
            if wantHessian {
                let root = Float((weights[i] * Numerics.sigmoid(h) * Numerics.sigmoid(-h)).squareRoot())
                for j in 0..<d { scaled[i, j] = x[i, j] * root }
            }
        }
        var g = [Float](repeating: 0, count: d)
        BLAS.gemv(x, transpose: true, slopes, into: &g)
        var gradient = g.map(Double.init)
        var hessian: [Double] = []
        if wantHessian {
            hessian = BLAS.multiply(scaled, transposeA: true, scaled).values.map(Double.init)
        }
        PairwiseObjective.addPrior(l2, anchor: [Double](repeating: 0, count: d), theta: w, value: &value,
                                   gradient: &gradient, hessian: &hessian)
        return Evaluation(value: value, gradient: gradient, hessian: hessian, accuracy: n == 0 ? 0 : correct / Double(n))
    }
}
