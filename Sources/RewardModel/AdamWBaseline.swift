/// PAL's own few-shot schedule for a new user, kept as a baseline: θ ~ N(0, I), AdamW on the mean
/// pairwise loss in mini-batches. DESIGN §3 notes it underfits at small n; the benchmark shows it.
public struct AdamWSchedule: Sendable {
    public var epochs = 20
    public var batchSize = 4
    public var learningRate = 5e-3
    public var weightDecay = 0.01
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var epsilon = 1e-8

    public init() {}
}

extension RewardHead {
    /// Fits θ with `schedule` from a random normal start (reproducible from `seed`).
    public func adaptWithAdamW(_ prepared: [PreparedComparison], schedule: AdamWSchedule = AdamWSchedule(), seed: UInt64) throws -> UserState {
        guard kind.isPersonalized else { throw RewardModelError(.unsupported, "bt heads have no user state") }
        for p in prepared where p.kind != kind || p.stateDim != stateDim {
            throw fail("a prepared comparison was made by a different head")
        }
        var generator = SeededGenerator(seed: seed)
        let k = stateDim
        var theta = (0..<k).map { _ in generator.nextGaussian() }
        var m = [Double](repeating: 0, count: k), v = m
        var step = 0
        let zero = [Double](repeating: 0, count: k)
        var order = Array(prepared.indices)
        for _ in 0..<schedule.epochs {
            order.shuffle(using: &generator)
            for start in stride(from: 0, to: order.count, by: schedule.batchSize) {
                let batch = order[start..<min(start + schedule.batchSize, order.count)].map { prepared[$0] }
                let gradient = fitObjective(batch, loss: PairwiseLoss(noise: 0), prior: 0, anchor: zero)
                    .evaluate(theta, hessian: false).gradient.map { $0 / Double(batch.count) }
                step += 1
                let c1 = 1 - pow(schedule.beta1, Double(step)), c2 = 1 - pow(schedule.beta2, Double(step))
                for i in 0..<k {
                    theta[i] -= schedule.learningRate * schedule.weightDecay * theta[i]   // decoupled decay
                    m[i] = schedule.beta1 * m[i] + (1 - schedule.beta1) * gradient[i]
                    v[i] = schedule.beta2 * v[i] + (1 - schedule.beta2) * gradient[i] * gradient[i]
                    theta[i] -= schedule.learningRate * (m[i] / c1) / ((v[i] / c2).squareRoot() + schedule.epsilon)
                }
            }
        }
        return UserState(theta: theta)
    }
}

import Foundation
