import Tensors
@testable import RewardModel

/// Small random heads of every personalised variant for property tests.
enum TestHeads {
    static let d = 8, p = 5

    static func config(_ variant: String, k: Int = 3) -> HeadConfig {
        switch variant {
        case "bt": HeadConfig(kind: .bt, featureDim: d, stateDim: 0, hiddenDim: 6, outputDim: 1, activation: .relu)
        case "pal-b": HeadConfig(kind: .palB, featureDim: d, promptDim: p, stateDim: k, hiddenDim: 6, outputDim: 4, activation: .gelu)
        case "pal-b-plain": HeadConfig(kind: .palB, featureDim: d, stateDim: k, hiddenDim: 6, outputDim: 4, activation: .relu)
        case "pal-a": HeadConfig(kind: .palA, featureDim: d, stateDim: k, hiddenDim: 6, outputDim: 4, activation: .gelu)
        case "pal-a-linear": HeadConfig(kind: .palA, featureDim: d, stateDim: k, hiddenDim: 6, outputDim: 4, activation: .relu,
                                        idealPointThroughProjector: false)
        case "gpm": HeadConfig(kind: .gpm, featureDim: d, promptDim: p, stateDim: k, normalizeValues: true)
        case "gpm-plain": HeadConfig(kind: .gpm, featureDim: d, stateDim: k, tau: 0.5)
        case "micro": HeadConfig(kind: .micro, featureDim: d, promptDim: p, stateDim: k)
        default: fatalError("unknown variant \(variant)")
        }
    }

    static let personalized = ["pal-b", "pal-b-plain", "pal-a", "pal-a-linear", "gpm", "gpm-plain", "micro"]
    static let all = ["bt"] + personalized

    static func head(_ variant: String, k: Int = 3, seed: UInt64 = 7, logitScale: Float = 1.5) throws -> RewardHead {
        try RewardHead.random(config: config(variant, k: k), seed: seed, logitScale: logitScale)
    }

    static func needsPrompt(_ head: RewardHead) -> Bool {
        head.kind == .palB && head.promptDim != nil
    }

    static func vector(_ n: Int, _ g: inout SeededGenerator, scale: Double = 1) -> [Float] {
        (0..<n).map { _ in Float(g.nextGaussian() * scale) }
    }

    /// The same head with one tensor multiplied by `factor` (no-op when the tensor is absent).
    static func scaled(_ head: RewardHead, tensor name: String, by factor: Float) throws -> RewardHead {
        var file = head.tensors()
        if let t = file.tensors[name] { file.tensors[name] = Tensor(shape: t.shape, values: t.values.map { $0 * factor }) }
        return try RewardHead(config: head.config, tensors: file)
    }
}
