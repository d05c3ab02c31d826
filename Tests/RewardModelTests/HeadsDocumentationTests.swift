import Foundation
import Testing
import Tensors
@testable import RewardModel

/// The worked examples of docs/HEADS.md, number for number.
struct HeadsDocumentationTests {
    static func identityMLP(_ prefix: String, last: [Float] = [1, 0, 0, 1], lastRows: Int = 2, lastBias: [Float] = [0, 0]) -> [String: Tensor] {
        [
            "\(prefix).mlp.layers.0.weight": Tensor(shape: [2, 2], values: [1, 0, 0, 1]),
            "\(prefix).mlp.layers.0.bias": Tensor(vector: [0, 0]),
            "\(prefix).mlp.layers.3.weight": Tensor(shape: [2, 2], values: [1, 0, 0, 1]),
            "\(prefix).mlp.layers.3.bias": Tensor(vector: [0, 0]),
            "\(prefix).mlp.layers.6.weight": Tensor(shape: [lastRows, 2], values: last),
            "\(prefix).mlp.layers.6.bias": Tensor(vector: lastBias),
        ]
    }

    static func close(_ a: Double, _ b: Double, _ tolerance: Double = 5e-5) -> Bool { abs(a - b) <= tolerance }

    @Test func bt() throws {
        let head = try RewardHead(config: HeadConfig(kind: .bt, featureDim: 2, stateDim: 0, hiddenDim: 2, outputDim: 1, activation: .relu),
                                  tensors: SafeTensors(tensors: Self.identityMLP("mlp", last: [1, -1], lastRows: 1, lastBias: [0.5])))
        #expect(try head.score(items: Matrix(rows: 2, cols: 2, values: [2, 1, 0, 3])) == [1.5, -2.5])
        let p = try head.compare(a: [2, 1], b: [0, 3])
        #expect(Self.close(p.probability, 0.98201) && Self.close(p.margin, 4))
    }

    @Test func palB() throws {
        var t = Self.identityMLP("projector_f")
        t["user_learner.prototypes"] = Tensor(shape: [2, 2], values: [1, 0, 0, 1])
        t["logit_scale"] = Tensor(shape: [], values: [Float(log(10.0))])
        let head = try RewardHead(config: HeadConfig(kind: .palB, featureDim: 2, stateDim: 2, hiddenDim: 2, outputDim: 2, activation: .relu),
                                  tensors: SafeTensors(tensors: t))
        let items = Matrix(rows: 2, cols: 2, values: [3, 0, 1, 1])
        let cold = try head.score(items: items)
        #expect(Self.close(cold[0], 7.0711) && Self.close(cold[1], 10))
        #expect(Self.close(try head.compare(a: [3, 0], b: [1, 1]).probability, 0.050742))
        let user = UserState(theta: [2, -2])
        let warm = try head.score(items: items, state: user)
        #expect(Self.close(warm[0], 9.9983) && Self.close(warm[1], 7.1994))
        #expect(Self.close(try head.compare(a: [3, 0], b: [1, 1], state: user).probability, 0.94262))
    }

    @Test func palA() throws {
        var t = Self.identityMLP("projector")
        t["user_learner.P"] = Tensor(shape: [2, 2], values: [0, 0, 4, 0])
        let head = try RewardHead(config: HeadConfig(kind: .palA, featureDim: 2, stateDim: 2, hiddenDim: 2, outputDim: 2, activation: .relu,
                                                     idealPointThroughProjector: false), tensors: SafeTensors(tensors: t))
        let r = try head.score(items: Matrix(rows: 2, cols: 2, values: [2, 1, 0, 0]))
        #expect(Self.close(r[0], -1) && Self.close(r[1], -2))
        #expect(Self.close(try head.compare(a: [2, 1], b: [0, 0]).probability, 0.73106))
    }

    @Test func gpm() throws {
        let head = try RewardHead(config: HeadConfig(kind: .gpm, featureDim: 2, stateDim: 1, tau: 0.1),
                                  tensors: SafeTensors(tensors: ["value_head.weight": Tensor(shape: [2, 2], values: [1, 0, 0, 1])]))
        #expect(Self.close(try head.compare(a: [1, 0], b: [0, 1]).probability, 0.99995))
        #expect(Self.close(try head.compare(a: [0, 1], b: [1, 0]).probability, 1 - 0.99995))
        #expect(try head.compare(a: [1, 0], b: [1, 0]).probability == 0.5)
        #expect(try head.rank(items: Matrix(rows: 2, cols: 2, values: [0, 1, 1, 0])).order == [1, 0])
    }

    @Test func micro() throws {
        let head = try RewardHead(config: HeadConfig(kind: .micro, featureDim: 2, stateDim: 2),
                                  tensors: SafeTensors(tensors: ["score.weight": Tensor(shape: [2, 2], values: [1, 0, 0, 1])]))
        let user = UserState(theta: [log(3), 0])
        let p = try head.compare(a: [2, 0], b: [0, 2], state: user)
        #expect(Self.close(p.probability, 0.69040) && Self.close(p.margin, 0.80198))
        let s = try head.score(items: Matrix(rows: 2, cols: 2, values: [2, 0, 0, 2]), state: user)
        #expect(Self.close(s[0], 1.5) && Self.close(s[1], 0.5))
    }
}
