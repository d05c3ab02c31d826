import Foundation
import Tensors

/// The pair to ask the user about next.
public struct NextComparison: Sendable, Equatable {
    /// Candidate indices, a ≠ b.
    public var a: Int
    public var b: Int
    /// ½·log(1 + P(1−P)·gᵀΣg) nats: the expected information gain about θ under the Laplace posterior.
    public var expectedGain: Double
    /// P(a≻b) under the current state.
    public var probability: Double
}

extension RewardHead {
    /// Candidates are capped so the pair search (n(n−1)/2 pairs) stays well under a millisecond budget.
    public static let maxNextComparisonCandidates = 64

    /// Among `candidates`, the pair whose label is expected to teach the most about θ: the expected
    /// information gain ½·log(1 + P(1−P)·gᵀΣg) with g = ∂ logit P(a≻b)/∂θ and Σ the inverse of the
    /// state's precision (or of λ·I when the state has none — a cold start under the prior).
    /// Plain max P(1−P) would pick pairs the user is unsure about but that move θ nowhere (g ≈ 0).
    public func nextComparison(prompt: [Float]? = nil, candidates: Matrix, state: UserState? = nil,
                               prior: Double = 1) throws -> NextComparison {
        guard kind.isPersonalized else { throw RewardModelError(.unsupported, "bt heads have no user state to learn") }
        guard candidates.rows >= 2 else { throw fail("next comparison needs at least 2 candidates") }
        guard candidates.rows <= Self.maxNextComparisonCandidates else {
            throw fail("next comparison takes at most \(Self.maxNextComparisonCandidates) candidates, got \(candidates.rows)")
        }
        guard prior > 0, prior <= Self.maxPrior else { throw fail("prior λ must be in (0, \(Self.maxPrior)]") }
        let batch = ScoringBatch(items: candidates, prompts: prompt.map { Matrix(row: $0) },
                                 groups: [.init(rows: 0..<candidates.rows, prompt: prompt == nil ? nil : 0, state: state)])
        let (encoded, context, theta) = try encodeSingle(batch)
        let k = stateDim
        let covariance = state?.precision.map { SymmetricSolver.inverse($0, k) } ?? SymmetricSolver.identity(k, scale: 1 / prior)
        let itemGradients = projectedScoreGradients(encoded, theta: theta)
        var best = NextComparison(a: 0, b: 1, expectedGain: -1, probability: 0.5)
        for i in 0..<candidates.rows {
            for j in (i + 1)..<candidates.rows {
                let h: Double, g: [Double]
                if let (scores, gradients) = itemGradients {
                    h = scores[i] - scores[j]
                    g = (0..<k).map { gradients[i][$0] - gradients[j][$0] }
                } else {
                    let d = math.pair(encoded, i, j, context: context).derivatives(theta: theta, order: 1)
                    h = d.value
                    g = d.gradient
                }
                let p = Numerics.sigmoid(h)
                let gain = 0.5 * log1p(p * (1 - p) * max(SymmetricSolver.quadraticForm(covariance, g, k), 0))
                if gain > best.expectedGain { best = NextComparison(a: i, b: j, expectedGain: gain, probability: p) }
            }
        }
        return best
    }

    /// pal-a with a_u = f(wᵀP): per-item scores and ∂r/∂θ through the ideal point's Jacobian
    /// (central differences of the Float64 projector). nil for every other kind.
    func projectedScoreGradients(_ encoded: Matrix, theta: [Double]) -> ([Double], [[Double]])? {
        guard let pal = math as? PALAMath, pal.throughProjector else { return nil }
        let projector = DoubleMLP(pal.projector)
        let rows = (0..<stateDim).map { pal.prototypes.doubleRow($0) }
        func ideal(_ t: [Double]) -> [Double] {
            let w = Numerics.softmax(t)
            var z = [Double](repeating: 0, count: rows[0].count)
            for k in w.indices { for j in z.indices { z[j] += w[k] * rows[k][j] } }
            return projector.forward(z).output
        }
        let a = ideal(theta)
        let jacobian = (0..<stateDim).map { k -> [Double] in   // column k: ∂a/∂θ_k
            let step = 1e-5 * (1 + abs(theta[k]))
            var plus = theta, minus = theta
            plus[k] += step
            minus[k] -= step
            let ap = ideal(plus), am = ideal(minus)
            return a.indices.map { (ap[$0] - am[$0]) / (2 * step) }
        }
        var scores: [Double] = [], gradients: [[Double]] = []
        for r in 0..<encoded.rows {
            let f = encoded.doubleRow(r)
            let diff = a.indices.map { a[$0] - f[$0] }
            let dist = (Numerics.dot(diff, diff) + Numerics.normEpsilon * Numerics.normEpsilon).squareRoot()
            scores.append(-dist)
            gradients.append(jacobian.map { -Numerics.dot(diff, $0) / dist })
        }
        return (scores, gradients)
    }
}
