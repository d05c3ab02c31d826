import Foundation
import RewardModel

/// Flags of `reward synth` (docs/DATASETS.md).
public struct SyntheticOptions: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case idealPoint = "ideal-point"
        case cyclic
    }

    public var kind: Kind = .idealPoint
    public var users = 100
    public var unseenUsers = 100
    public var dim = 32
    /// ideal-point: K prototype directions; cyclic: number of 2-D planes holding circles.
    public var prototypes = 3
    public var alpha = 0.3
    public var scale = 10.0
    public var trainPairs = 200
    /// Training pairs per unseen user (the few-shot curve goes up to this many).
    public var unseenTrainPairs = 64
    public var testPairs = 500
    /// Fraction of training labels flipped after sampling.
    public var noise = 0.0
    /// cyclic: rotation angles |δ| are uniform in [minRotation, maxRotation] radians.
    public var minRotation = 0.2
    public var maxRotation = 2.0
    /// cyclic: every user shares one orientation per circle (then only the cycles defeat a scalar reward).
    public var sharedOrientation = false
    public var seed: UInt64 = 1

    public init() {}

    func validate() throws {
        func fail(_ m: String) -> TrainingError { TrainingError(.invalidOptions, m) }
        guard users >= 0, unseenUsers >= 0, users + unseenUsers > 0 else { throw fail("need at least one user") }
        guard dim > 0, prototypes > 0 else { throw fail("dim and prototypes must be positive") }
        guard trainPairs >= 0, unseenTrainPairs >= 0, testPairs >= 0 else { throw fail("pair counts must be ≥ 0") }
        guard noise >= 0, noise < 0.5 else { throw fail("noise must be in [0, 0.5)") }
        guard alpha > 0, alpha.isFinite, scale > 0, scale <= 100 else { throw fail("alpha must be > 0 and scale in (0, 100]") }
        if kind == .cyclic {
            guard 2 * prototypes <= dim else { throw fail("cyclic needs 2·prototypes ≤ dim (one plane per circle)") }
            guard minRotation > 0, minRotation <= maxRotation, maxRotation < Double.pi else {
                throw fail("rotations need 0 < min ≤ max < π")
            }
        }
    }

    /// The flags as recorded in the dataset header.
    var record: [String: String] {
        var r = ["kind": kind.rawValue, "users": "\(users)", "unseen_users": "\(unseenUsers)", "dim": "\(dim)",
                 "prototypes": "\(prototypes)", "train_pairs": "\(trainPairs)", "unseen_train_pairs": "\(unseenTrainPairs)",
                 "test_pairs": "\(testPairs)", "noise": "\(noise)", "seed": "\(seed)"]
        switch kind {
        case .idealPoint:
            r["alpha"] = "\(alpha)"
            r["scale"] = "\(scale)"
        case .cyclic:
            r["min_rotation"] = "\(minRotation)"
            r["max_rotation"] = "\(maxRotation)"
            if sharedOrientation { r["shared_orientation"] = "true" }
        }
        return r
    }
}

public enum SyntheticData {
    /// Generates the dataset `options` describe; the same options give the same bytes.
    public static func generate(_ options: SyntheticOptions) throws -> PreferenceDataset {
        try options.validate()
        switch options.kind {
        case .idealPoint: return IdealPointGenerator(options: options).generate()
        case .cyclic: return CyclicGenerator(options: options).generate()
        }
    }
}

extension SeededGenerator {
    /// Gamma(shape, 1) by Marsaglia–Tsang (shape < 1 via the U^(1/shape) boost).
    mutating func nextGamma(shape: Double) -> Double {
        if shape < 1 {
            return nextGamma(shape: shape + 1) * pow(nextUniform(), 1 / shape)
        }
        let d = shape - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double, v: Double
            repeat {
                x = nextGaussian()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = nextUniform()
            let bound: Double = 0.5 * x * x + d - d * v + d * log(v)
            if log(u) < bound { return d * v }
        }
    }

    mutating func nextDirichlet(count: Int, alpha: Double) -> [Double] {
        let g = (0..<count).map { _ in max(nextGamma(shape: alpha), 1e-300) }
        let total = g.reduce(0, +)
        return g.map { $0 / total }
    }

    /// A unit vector uniform on the sphere.
    mutating func nextUnitVector(dim: Int) -> [Double] {
        let v = (0..<dim).map { _ in nextGaussian() }
        let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return v.map { $0 / max(n, 1e-12) }
    }
}
