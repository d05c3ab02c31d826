import Foundation
import Tensors

extension RewardHead {
    /// A head with random weights (scaled like PyTorch's default init) from a fixed seed: used by
    /// tests, benchmarks and synthetic data.
    public static func random(config: HeadConfig, seed: UInt64, populationState: [Double]? = nil,
                              logitScale: Float = Float(log(1 / 0.07))) throws -> RewardHead {
        try config.validate()
        var rng = SeededGenerator(seed: seed)
        var file = SafeTensors()
        for spec in specs(config) {
            let count = spec.shape.reduce(1, *)
            let values: [Float]
            if spec.name == "logit_scale" {
                values = [logitScale]
            } else {
                let sd = spec.fanIn > 0 ? 1 / Double(spec.fanIn).squareRoot() : 1
                values = (0..<count).map { _ in Float(rng.nextGaussian() * sd) }
            }
            file.tensors[spec.name] = Tensor(shape: spec.shape, values: values)
        }
        if let populationState {
            file.tensors[populationStateName] = Tensor(vector: populationState.map { Float($0) })
        }
        return try RewardHead(config: config, tensors: file)
    }
}

/// SplitMix64 with Box–Muller normals: small, fast and reproducible across platforms.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in (0, 1).
    public mutating func nextUniform() -> Double {
        (Double(next() >> 11) + 0.5) / 9_007_199_254_740_992
    }

    public mutating func nextGaussian() -> Double {
        let u = nextUniform(), v = nextUniform()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }
}
