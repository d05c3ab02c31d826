import Foundation
import Tensors

/// Synthetic preference data drawn from a head at a known user state: the ground truth for
/// recovery tests, evaluation and benchmarks.
public enum Oracle {
    /// Standard-normal feature vectors (rows), reproducible from `seed`.
    public static func gaussianItems(count: Int, dim: Int, scale: Double = 1, generator: inout SeededGenerator) -> Matrix {
        Matrix(rows: count, cols: dim, values: (0..<count * dim).map { _ in Float(generator.nextGaussian() * scale) })
    }

    /// `count` comparisons between random Gaussian items, labelled by sampling from the head's
    /// P(a≻b) at `state`; with probability `flipRate` the label is then flipped (label noise).
    public static func sampleComparisons(head: RewardHead, state: UserState, count: Int, flipRate: Double = 0,
                                         withPrompts: Bool = false, generator: inout SeededGenerator) throws -> [LabeledComparison] {
        let items = gaussianItems(count: 2 * count, dim: head.featureDim, generator: &generator)
        let prompts = withPrompts ? gaussianItems(count: count, dim: head.promptDim ?? 0, generator: &generator) : nil
        let batch = ScoringBatch(items: items, prompts: prompts, groups: (0..<count).map {
            .init(rows: (2 * $0)..<(2 * $0 + 2), prompt: withPrompts ? $0 : nil, state: state)
        })
        let preferences = try head.compare(batch)
        return (0..<count).map { i in
            let a = Array(items.row(2 * i)), b = Array(items.row(2 * i + 1))
            var aWins = generator.nextUniform() < preferences[i][0].probability
            if generator.nextUniform() < flipRate { aWins.toggle() }
            return LabeledComparison(prompt: prompts.map { Array($0.row(i)) }, chosen: aWins ? a : b, rejected: aWins ? b : a)
        }
    }

    /// Mean −log P(chosen ≻ rejected) of comparisons under a state (held-out log-loss).
    public static func logLoss(head: RewardHead, comparisons: [LabeledComparison], state: UserState?) throws -> Double {
        let prepared = try head.prepare(comparisons)
        let theta = try head.theta(of: state)
        var total = 0.0
        for p in prepared {
            total += Numerics.softplus(-head.logit(p, theta: theta))
        }
        return total / Double(max(prepared.count, 1))
    }

    /// Fraction of comparisons the state orders correctly.
    public static func accuracy(head: RewardHead, comparisons: [LabeledComparison], state: UserState?) throws -> Double {
        let prepared = try head.prepare(comparisons)
        let theta = try head.theta(of: state)
        let correct = prepared.filter { head.logit($0, theta: theta) > 0 }.count
        return Double(correct) / Double(max(prepared.count, 1))
    }

    /// Total variation between softmax(a) and softmax(b): the mixture-recovery metric.
    public static func totalVariation(_ a: [Double], _ b: [Double]) -> Double {
        let p = Numerics.softmax(a), q = Numerics.softmax(b)
        return 0.5 * zip(p, q).reduce(0) { $0 + abs($1.0 - $1.1) }
    }
}

extension RewardHead {
    /// logit P(chosen ≻ rejected) of a prepared comparison at θ.
    func logit(_ prepared: PreparedComparison, theta: [Double]) -> Double {
        if case let .projectedIdealPoint(fa, fb) = prepared.features, let pal = math as? PALAMath {
            let a = pal.idealPoint(theta: theta)
            func distance(_ f: [Double]) -> Double {
                (zip(f, a).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } + Numerics.normEpsilon * Numerics.normEpsilon).squareRoot()
            }
            return distance(fb) - distance(fa)
        }
        return prepared.features.logit(theta: theta)
    }

    /// P(chosen ≻ rejected) and the margin for a prepared comparison under a state (cheap: no sgemm).
    public func preference(_ prepared: PreparedComparison, state: UserState? = nil) throws -> PairPreference {
        guard prepared.kind == kind, prepared.stateDim == stateDim else { throw fail("a prepared comparison was made by a different head") }
        let h = logit(prepared, theta: try theta(of: state))
        return PairPreference(probability: Numerics.sigmoid(h), margin: h)
    }
}
