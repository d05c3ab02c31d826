import Testing
import Tensors
@testable import RewardModel

struct PopulationBaselineTests {
    /// Pooled labels from a linear BT truth: the fit points the same way and predicts held-out labels.
    @Test func linearBTRecoversTheDirection() throws {
        let d = 12
        var g = SeededGenerator(seed: 51)
        let truth = (0..<d).map { _ in Float(g.nextGaussian()) }
        func sample(_ count: Int) -> [LabeledComparison] {
            (0..<count).map { _ in
                let a = TestHeads.vector(d, &g), b = TestHeads.vector(d, &g)
                let margin = zip(truth, zip(a, b)).reduce(0.0) { $0 + Double($1.0) * Double($1.1.0 - $1.1.1) }
                return g.nextUniform() < Numerics.sigmoid(margin) ? LabeledComparison(chosen: a, rejected: b) : LabeledComparison(chosen: b, rejected: a)
            }
        }
        let (head, report) = try PopulationBaseline.fitLinearBT(sample(3_000), featureDim: d, l2: 1)
        #expect(report.converged)
        #expect(head.kind == .micro && head.stateDim == 1)
        let w = head.tensors().tensors["score.weight"]!.values
        let cosine = zip(w, truth).reduce(0) { $0 + Double($1.0 * $1.1) }
            / (w.reduce(0) { $0 + Double($1 * $1) }.squareRoot() * truth.reduce(0) { $0 + Double($1 * $1) }.squareRoot())
        #expect(cosine > 0.98, "cosine \(cosine)")
        let accuracy = try Oracle.accuracy(head: head, comparisons: sample(1_000), state: nil)
        #expect(accuracy > 0.75, "held-out accuracy \(accuracy)")
        #expect(throws: RewardModelError.self) { try PopulationBaseline.fitLinearBT([], featureDim: d) }
    }
}
