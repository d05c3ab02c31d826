import Foundation
import RewardModel
import Tensors
import Testing
@testable import RewardTraining

/// Every analytic gradient against central finite differences, tensor by tensor.
@Suite struct GradientTests {
    static func batch(dim: Int, pairs: Int, users: Int, seed: UInt64) -> TrainingBatch {
        var rng = SeededGenerator(seed: seed)
        return TrainingBatch(items: Matrix(rows: 2 * pairs, cols: dim, values: (0..<2 * pairs * dim).map { _ in Float(rng.nextGaussian()) }),
                             users: (0..<pairs).map { $0 % users })
    }

    static func check(_ model: any TrainableModel, _ batch: TrainingBatch) {
        var model = model
        // Move θ and the last layers off their (near-zero) init so every path carries gradient.
        var rng = SeededGenerator(seed: 99)
        for i in model.parameters.values.indices { model.parameters.values[i] += Float(rng.nextGaussian() * 0.3) }
        let analytic = model.evaluate(batch, wantGradient: true).gradient
        for (index, entry) in model.parameters.entries.enumerated() {
            // A unit direction and a small step: ReLU kinks are rarely crossed, Float32 noise stays ≪ 1e-2.
            let raw = (0..<entry.count).map { _ in rng.nextGaussian() }
            let length = raw.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let direction = raw.map { Float($0 / length) }
            let h: Float = 1e-3
            func loss(_ sign: Float) -> Double {
                var m = model
                for i in 0..<entry.count { m.parameters.values[entry.offset + i] += sign * h * direction[i] }
                return m.evaluate(batch, wantGradient: false).loss
            }
            let numeric = (loss(1) - loss(-1)) / Double(2 * h)
            var exact = 0.0
            for i in 0..<entry.count { exact += Double(analytic[entry.offset + i]) * Double(direction[i]) }
            #expect(abs(numeric - exact) <= 1e-2 * max(1, abs(exact)), "\(entry.name) (\(index)): finite difference \(numeric), analytic \(exact)")
        }
    }

    @Test(arguments: [HeadConfig.Activation.relu, .gelu], [true, false])
    func palB(activation: HeadConfig.Activation, residual: Bool) {
        let model = PALBTrainable(featureDim: 5, stateDim: 3, hidden: 4, outputDim: residual ? 5 : 3, activation: activation, users: 3, seed: 1)
        Self.check(model, Self.batch(dim: 5, pairs: 7, users: 3, seed: 2))
    }

    @Test(arguments: [true, false], [true, false])
    func palA(throughProjector: Bool, residual: Bool) {
        let model = PALATrainable(featureDim: 5, stateDim: 3, hidden: 4, outputDim: residual ? 5 : 3, activation: .gelu,
                                  throughProjector: throughProjector, users: 3, seed: 21)
        Self.check(model, Self.batch(dim: 5, pairs: 7, users: 3, seed: 22))
    }

    @Test func bt() {
        Self.check(BTTrainable(featureDim: 5, hidden: 4, activation: .gelu, seed: 3), Self.batch(dim: 5, pairs: 7, users: 1, seed: 4))
    }

    @Test func gpm() {
        Self.check(GPMTrainable(featureDim: 6, stateDim: 3, tau: 0.5, users: 2, seed: 5), Self.batch(dim: 6, pairs: 7, users: 2, seed: 6))
    }

    @Test func micro() {
        Self.check(MicroTrainable(featureDim: 5, stateDim: 3, users: 2, seed: 7), Self.batch(dim: 5, pairs: 7, users: 2, seed: 8))
    }

    /// The exported head scores exactly like the trainer's forward pass.
    @Test(arguments: [HeadKind.palB, .palA, .bt, .gpm, .micro])
    func exportedHeadAgreesWithTrainer(kind: HeadKind) throws {
        var o = TrainingOptions()
        o.kind = kind
        o.prototypes = 2
        o.hidden = 4
        var model = Trainer.makeModel(o, featureDim: 6, users: 2, seed: 11)
        var rng = SeededGenerator(seed: 12)
        for i in model.parameters.values.indices { model.parameters.values[i] += Float(rng.nextGaussian() * 0.3) }
        let head = try Trainer.makeHead(model, options: o, userIDs: ["a", "b"])
        let batch = Self.batch(dim: 6, pairs: 6, users: 2, seed: 13)
        let trainerLoss = model.evaluate(batch, wantGradient: false).loss
        var headLoss = 0.0
        for i in 0..<batch.count {
            let state = kind == .bt ? nil : UserState(theta: head.seenUsers[["a", "b"][batch.users[i]]]!)
            let p = try head.compare(a: Array(batch.items.row(i)), b: Array(batch.items.row(batch.count + i)), state: state)
            headLoss += -log(p.probability)
        }
        #expect(abs(trainerLoss - headLoss) < 1e-3 * max(1, headLoss), "trainer \(trainerLoss) vs head \(headLoss)")
    }
}
