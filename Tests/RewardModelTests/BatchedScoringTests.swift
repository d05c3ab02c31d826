import Testing
import Tensors
@testable import RewardModel

/// A batch runs its MLP layers feature-major through sgemm, one item alone through sgemv: the
/// scores must agree up to Float32 rounding, item by item, in order.
struct BatchedScoringTests {
    @Test(arguments: ["bt", "pal-b-plain", "pal-a", "pal-b-residual"])
    func everyItemOfABatchScoresAsItDoesAlone(_ variant: String) throws {
        let head = try variant == "pal-b-residual"
            ? RewardHead.random(config: HeadConfig(kind: .palB, featureDim: 24, stateDim: 3, hiddenDim: 40, outputDim: 24,
                                                   activation: .gelu, residual: true), seed: 3, logitScale: 1.5)
            : TestHeads.head(variant)
        var g = SeededGenerator(seed: 21)
        let items = Oracle.gaussianItems(count: 37, dim: head.featureDim, generator: &g)
        let state = head.kind.isPersonalized ? UserState(theta: [0.3, -0.2, 0.5]) : nil
        let batched = try head.score(items: items, state: state)
        #expect(batched.count == items.rows)
        for r in 0..<items.rows {
            let alone = try head.score(items: items.slicing(rows: r..<(r + 1)), state: state)[0]
            #expect(abs(alone - batched[r]) <= 1e-5 * (1 + abs(alone)))
        }
    }
}
