import ArgumentParser
import Foundation
import RewardTraining

struct Synth: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a seeded synthetic preference dataset (NDJSON, docs/DATASETS.md).")

    @Option(help: "ideal-point or cyclic.") var kind: String = "ideal-point"
    @Option(help: "Seen users (trained on).") var users: Int = 100
    @Option(help: "Unseen users (few-shot evaluation).") var unseenUsers: Int = 100
    @Option(help: "Feature dimension D.") var dim: Int = 32
    @Option(help: "ideal-point: K prototypes; cyclic: number of circles (2·K ≤ D).") var prototypes: Int = 3
    @Option(help: "Dirichlet concentration α of the users' weights (ideal-point).") var alpha: Double = 0.3
    @Option(help: "Reward scale s (ideal-point).") var scale: Double = 10
    @Option(help: "Training pairs per seen user.") var trainPairs: Int = 200
    @Option(help: "Training pairs per unseen user (the few-shot curve goes up to this).") var unseenTrainPairs: Int = 64
    @Option(help: "Test pairs per user.") var testPairs: Int = 500
    @Option(help: "Fraction of training labels flipped.") var noise: Double = 0
    @Option(help: "cyclic: smallest rotation |δ| in radians.") var minRotation: Double = 0.2
    @Option(help: "cyclic: largest rotation |δ| in radians (< π).") var maxRotation: Double = 2.0
    @Flag(help: "cyclic: all users share one orientation per circle.") var sharedOrientation = false
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Output file (NDJSON).") var out: String

    func run() throws {
        var o = SyntheticOptions()
        guard let k = SyntheticOptions.Kind(rawValue: kind) else { throw ValidationError("--kind must be ideal-point or cyclic") }
        o.kind = k
        o.users = users; o.unseenUsers = unseenUsers; o.dim = dim; o.prototypes = prototypes
        o.alpha = alpha; o.scale = scale; o.trainPairs = trainPairs; o.unseenTrainPairs = unseenTrainPairs
        o.testPairs = testPairs; o.noise = noise; o.minRotation = minRotation; o.maxRotation = maxRotation; o.seed = seed
        o.sharedOrientation = sharedOrientation
        do {
            let data = try SyntheticData.generate(o)
            try data.write(path: out)
            FileHandle.standardError.write(Data("wrote \(out): \(data.users.count) users, \(data.pairs.count) pairs, \(data.items.rows) items\n".utf8))
        } catch let error as TrainingError {
            throw ValidationError(error.description)
        }
    }
}
