import Foundation
import RewardModel

/// `--kind ideal-point`: items ~ N(0, I_D); K prototypes uniform on the unit sphere; each user's
/// weights w ~ Dirichlet(α); r_u(x) = scale · cos(x, Σ_k w_k g_k); labels ~ Bernoulli(σ(Δr)).
/// Label flips (`--noise`) draw from their own stream, so a noisy dataset is its clean twin with
/// some training labels flipped.
struct IdealPointGenerator {
    let options: SyntheticOptions

    func generate() -> PreferenceDataset {
        let o = options, d = o.dim, k = o.prototypes
        var rng = SeededGenerator(seed: o.seed)
        var flips = SeededGenerator(seed: o.seed ^ 0x5EED_F11B)
        let prototypes = (0..<k).map { _ in rng.nextUnitVector(dim: d) }
        var data = PreferenceDataset(featureDim: d, source: o.record,
                                     truth: GroundTruth(kind: "pal-b", prototypes: prototypes, scale: o.scale))
        for index in 0..<(o.users + o.unseenUsers) {
            let seen = index < o.users
            let w = rng.nextDirichlet(count: k, alpha: o.alpha)
            // θ = log w, centred (softmax is shift-invariant); w is floored so θ stays finite.
            let logs = w.map { log(max($0, 1e-12)) }
            let mean = logs.reduce(0, +) / Double(k)
            let user = data.users.count
            data.users.append(.init(id: String(format: seen ? "u%04d" : "new%04d", index), seen: seen, theta: logs.map { $0 - mean }))
            var ideal = [Double](repeating: 0, count: d)
            for (wk, g) in zip(w, prototypes) { for j in 0..<d { ideal[j] += wk * g[j] } }
            let idealNorm = max(ideal.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12)
            func reward(_ x: [Float]) -> Double {
                var dot = 0.0, xx = 0.0
                for j in 0..<d { dot += Double(x[j]) * ideal[j]; xx += Double(x[j]) * Double(x[j]) }
                return o.scale * dot / (max(xx.squareRoot(), 1e-12) * idealNorm)
            }
            let trainCount = seen ? o.trainPairs : o.unseenTrainPairs
            for (split, count) in [(PreferenceDataset.Split.train, trainCount), (.test, o.testPairs)] {
                for _ in 0..<count {
                    let a = (0..<d).map { _ in Float(rng.nextGaussian()) }
                    let b = (0..<d).map { _ in Float(rng.nextGaussian()) }
                    let delta = reward(a) - reward(b)
                    var aWins = rng.nextUniform() < 1 / (1 + exp(-delta))
                    let flip = split == .train && flips.nextUniform() < o.noise
                    if flip { aWins.toggle() }
                    let ra = data.appendItem(a), rb = data.appendItem(b)
                    data.pairs.append(.init(user: user, split: split, chosen: aWins ? ra : rb, rejected: aWins ? rb : ra,
                                            margin: aWins ? delta : -delta, flipped: flip))
                }
            }
        }
        return data
    }
}
