import Foundation
import RewardModel

/// `--kind cyclic`: items lie on unit circles in K orthogonal 2-D planes of R^D (mixed by a random
/// rotation of the whole space). A pair holds two items of one circle, b = a rotated by δ with
/// |δ| ∈ [min, max]; each user has its own orientation per circle and prefers the item reached by
/// rotating in that orientation (label = sign of the cross product, no noise). Going round a circle
/// in steps gives preference cycles of length ⌈2π/|δ|⌉ and more, which no scalar reward can fit.
/// Test pairs use fresh items. `sharedOrientation` gives every user the same orientations.
struct CyclicGenerator {
    let options: SyntheticOptions

    func generate() -> PreferenceDataset {
        let o = options, d = o.dim, k = o.prototypes
        var rng = SeededGenerator(seed: o.seed)
        var flips = SeededGenerator(seed: o.seed ^ 0x5EED_F11B)
        let mixing = randomOrthogonal(d, &rng)
        var data = PreferenceDataset(featureDim: d, source: o.record)
        func embed(plane: Int, angle: Double) -> [Float] {
            // x = Q z with z = (cos φ, sin φ) in the plane's two coordinates.
            (0..<d).map { r in Float(mixing[r][2 * plane] * cos(angle) + mixing[r][2 * plane + 1] * sin(angle)) }
        }
        let shared = (0..<k).map { _ in rng.nextUniform() < 0.5 ? -1.0 : 1.0 }
        for index in 0..<(o.users + o.unseenUsers) {
            let seen = index < o.users
            let own = (0..<k).map { _ in rng.nextUniform() < 0.5 ? -1.0 : 1.0 }
            let orientation = o.sharedOrientation ? shared : own
            let user = data.users.count
            data.users.append(.init(id: String(format: seen ? "u%04d" : "new%04d", index), seen: seen))
            let trainCount = seen ? o.trainPairs : o.unseenTrainPairs
            for (split, count) in [(PreferenceDataset.Split.train, trainCount), (.test, o.testPairs)] {
                for _ in 0..<count {
                    let plane = Int(rng.next() % UInt64(k))
                    let angle = 2 * Double.pi * rng.nextUniform()
                    let step = (o.minRotation + (o.maxRotation - o.minRotation) * rng.nextUniform()) * (rng.nextUniform() < 0.5 ? -1 : 1)
                    let ra = data.appendItem(embed(plane: plane, angle: angle))
                    let rb = data.appendItem(embed(plane: plane, angle: angle + step))
                    // b is preferred when the rotation a → b runs in the user's orientation.
                    var bWins = step * orientation[plane] > 0
                    let flip = split == .train && flips.nextUniform() < o.noise
                    if flip { bWins.toggle() }
                    let margin = (bWins ? 1.0 : -1.0) * (step * orientation[plane] > 0 ? 1 : -1)
                    data.pairs.append(.init(user: user, split: split, chosen: bWins ? rb : ra, rejected: bWins ? ra : rb,
                                            margin: margin, flipped: flip))
                }
            }
        }
        return data
    }

    /// Gram–Schmidt on a Gaussian matrix: a uniformly random rotation (rows = columns of Q).
    private func randomOrthogonal(_ d: Int, _ rng: inout SeededGenerator) -> [[Double]] {
        var columns: [[Double]] = []
        while columns.count < d {
            var v = (0..<d).map { _ in rng.nextGaussian() }
            for c in columns {
                let dot = zip(v, c).reduce(0) { $0 + $1.0 * $1.1 }
                for i in 0..<d { v[i] -= dot * c[i] }
            }
            let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if n > 1e-8 { columns.append(v.map { $0 / n }) }
        }
        return (0..<d).map { r in columns.map { $0[r] } }
    }
}
