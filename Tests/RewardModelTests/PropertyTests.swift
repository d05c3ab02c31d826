import Foundation
import Testing
import TestSupport
import Tensors
@testable import RewardModel

struct PropertyTests {
    @Test(arguments: ["gpm", "gpm-plain"])
    func gpmIsSkewSymmetric(_ variant: String) throws {
        let head = try TestHeads.head(variant)
        var g = SeededGenerator(seed: 1)
        for _ in 0..<20 {
            let a = TestHeads.vector(TestHeads.d, &g), b = TestHeads.vector(TestHeads.d, &g)
            let prompt = head.promptDim.map { TestHeads.vector($0, &g) }
            let state = UserState(theta: (0..<head.stateDim).map { _ in g.nextGaussian() })
            let ab = try head.compare(prompt: prompt, a: a, b: b, state: state)
            let ba = try head.compare(prompt: prompt, a: b, b: a, state: state)
            #expect(abs(ab.probability + ba.probability - 1) < 1e-12)
            #expect(abs(ab.margin + ba.margin) < 1e-9)
            let aa = try head.compare(prompt: prompt, a: a, b: a, state: state)
            #expect(aa.probability == 0.5 && aa.margin == 0)
        }
    }

    /// Plackett–Luce (and the micro mixture of PLs) is a distribution over the 24 orders of 4 items.
    @Test(arguments: ["bt", "pal-b", "pal-a", "pal-a-linear", "micro"])
    func orderProbabilitiesSumToOne(_ variant: String) throws {
        let head = try TestHeads.head(variant, logitScale: 2)
        var g = SeededGenerator(seed: 2)
        let items = Oracle.gaussianItems(count: 4, dim: TestHeads.d, generator: &g)
        let prompt = TestHeads.needsPrompt(head) ? TestHeads.vector(TestHeads.p, &g) : nil
        let state = head.kind.isPersonalized ? UserState(theta: (0..<head.stateDim).map { _ in g.nextGaussian() }) : nil
        var total = 0.0
        for order in Self.permutations([0, 1, 2, 3]) {
            total += exp(try head.logProbability(ofOrder: order, prompt: prompt, items: items, state: state))
        }
        #expect(abs(total - 1) < 1e-9, "sum \(total)")
        let rank = try head.rank(prompt: prompt, items: items, state: state)
        let direct = try head.logProbability(ofOrder: rank.order, prompt: prompt, items: items, state: state)
        #expect(abs(try #require(rank.logProbability) - direct) < 1e-12)
    }

    static func permutations(_ xs: [Int]) -> [[Int]] {
        guard xs.count > 1 else { return [xs] }
        return xs.indices.flatMap { i -> [[Int]] in
            var rest = xs
            let first = rest.remove(at: i)
            return permutations(rest).map { [first] + $0 }
        }
    }

    /// The closed-form gradient and Hessian of the adapt objective against central differences.
    @Test(arguments: TestHeads.personalized)
    func adaptDerivativesMatchFiniteDifferences(_ variant: String) throws {
        let head = try TestHeads.head(variant, k: 4)
        var g = SeededGenerator(seed: 3)
        let truth = UserState(theta: (0..<4).map { _ in 1.5 * g.nextGaussian() })
        let comparisons = try Oracle.sampleComparisons(head: head, state: truth, count: 10,
                                                       withPrompts: head.promptDim != nil, generator: &g)
        let prepared = try head.prepare(comparisons)
        for noise in [0.0, 0.2] {
            let options = AdaptOptions(prior: 0.7, labelNoise: noise)
            let objective = try head.makeObjective(prepared, options: options)
            let theta = (0..<4).map { _ in g.nextGaussian() }
            let at = objective.evaluate(theta, hessian: true)
            let h = 1e-5
            for j in 0..<4 {
                var plus = theta, minus = theta
                plus[j] += h
                minus[j] -= h
                let ep = objective.evaluate(plus, hessian: false), em = objective.evaluate(minus, hessian: false)
                let fd = (ep.value - em.value) / (2 * h)
                #expect(abs(fd - at.gradient[j]) < 1e-6 * (1 + abs(fd)), "\(variant) ∂/∂θ\(j): \(at.gradient[j]) vs \(fd)")
                for i in 0..<4 {
                    let fdH = (ep.gradient[i] - em.gradient[i]) / (2 * h)
                    #expect(abs(fdH - at.hessian[i * 4 + j]) < 1e-4 * (1 + abs(fdH)), "\(variant) H[\(i),\(j)]")
                }
            }
        }
    }

    /// 2,000 comparisons drawn from a known mixture: softmax(θ̂) within TV 0.05 of softmax(θ).
    @Test(arguments: [("micro", 3), ("micro", 4), ("pal-b-plain", 3)])
    func adaptRecoversTheMixture(_ variant: String, _ k: Int) async throws {
        try await offPool {  // seconds of CPU: on a thread of its own, not the 2-thread pool
            // Components that disagree clearly (margins of a few nats, like a trained reward model's),
            // so the mixture is identifiable from 2,000 labels.
            let head = try TestHeads.scaled(TestHeads.head(variant, k: k, seed: 11, logitScale: 4), tensor: "score.weight", by: 3)
            var g = SeededGenerator(seed: 5)
            let truth = UserState(theta: (0..<k).map { _ in 1.2 * g.nextGaussian() })
            let comparisons = try Oracle.sampleComparisons(head: head, state: truth, count: 2_000,
                                                           withPrompts: head.promptDim != nil, generator: &g)
            let result = try head.adapt(comparisons, options: AdaptOptions(prior: 1e-2))
            #expect(result.report.converged)
            let tv = Oracle.totalVariation(result.state.theta, truth.theta)
            #expect(tv <= 0.05, "\(variant) K=\(k): TV \(tv)")
        }
    }

    /// With 20 % flipped labels the rDPO-corrected fit predicts clean held-out labels better.
    @Test func labelNoiseCorrectionBeatsUncorrected() throws {
        let head = try TestHeads.head("pal-b-plain", k: 4, seed: 13, logitScale: 3)
        var g = SeededGenerator(seed: 6)
        let truth = UserState(theta: (0..<4).map { _ in 1.5 * g.nextGaussian() })
        let noisy = try Oracle.sampleComparisons(head: head, state: truth, count: 2_000, flipRate: 0.2, generator: &g)
        let clean = try Oracle.sampleComparisons(head: head, state: truth, count: 2_000, generator: &g)
        let prepared = try head.prepare(noisy)
        let plain = try head.adapt(prepared, options: AdaptOptions(prior: 1e-2, labelNoise: 0))
        let corrected = try head.adapt(prepared, options: AdaptOptions(prior: 1e-2, labelNoise: 0.2))
        #expect(plain.report.converged && corrected.report.converged)
        let plainLoss = try Oracle.logLoss(head: head, comparisons: clean, state: plain.state)
        let correctedLoss = try Oracle.logLoss(head: head, comparisons: clean, state: corrected.state)
        #expect(correctedLoss < plainLoss, "corrected \(correctedLoss) vs plain \(plainLoss)")
    }
}

struct SharedCosineObjectiveTests {
    /// The aggregated pal-b objective equals the per-comparison one: value, gradient and Hessian.
    @Test(arguments: [0.0, 0.2])
    func aggregatedEqualsPerComparison(_ noise: Double) throws {
        let head = try TestHeads.head("pal-b-plain", k: 6, logitScale: 2.5)
        var g = SeededGenerator(seed: 81)
        let truth = UserState(theta: (0..<6).map { _ in g.nextGaussian() })
        let prepared = try head.prepare(Oracle.sampleComparisons(head: head, state: truth, count: 40, generator: &g))
        let loss = PairwiseLoss(noise: noise)
        let fast = try #require(SharedCosineObjective(prepared, loss: loss, prior: 0.5, anchor: head.populationState))
        let slow = PairwiseObjective(examples: prepared, loss: loss, prior: 0.5, anchor: head.populationState)
        for _ in 0..<3 {
            let theta = (0..<6).map { _ in 2 * g.nextGaussian() }
            let a = fast.evaluate(theta, hessian: true), b = slow.evaluate(theta, hessian: true)
            #expect(abs(a.value - b.value) <= 1e-10 * (1 + abs(b.value)))
            for (x, y) in zip(a.gradient, b.gradient) { #expect(abs(x - y) <= 1e-10 * (1 + abs(y))) }
            for (x, y) in zip(a.hessian, b.hessian) { #expect(abs(x - y) <= 1e-9 * (1 + abs(y))) }
        }
    }
}
