import ArgumentParser
import Foundation
import RewardModel
import RewardTraining

/// `reward tune-prior`: chooses adapt's prior strength λ for a head without touching test pairs.
/// Run it on a head trained on a nested split (`reward nested-split`: held-out topics of the
/// training users), pick the λ with the lowest held-out log-loss over a grid, and write it as
/// `adapt_prior` into the config of the head(s) the service will load (`--apply-to`).
struct TunePrior: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune-prior",
        abstract: "Choose adapt's prior λ on a validation split (held-out log-loss) and store it in heads' config.")

    @Option(help: "Head trained on the validation dataset's train split.") var head: String
    @Option(help: "Validation dataset (from reward nested-split).") var data: String
    @Option(parsing: .upToNextOption, help: "Candidate λ values.") var grid = [0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000, 10000]
    @Option(parsing: .upToNextOption, help: "Numbers of a user's training pairs to adapt on (plus all of them).") var shots = [8, 16, 32, 64]
    @Option(help: "Seed of the training-pair order.") var seed: UInt64 = 1
    @Option(help: "Head directory whose config.json gets the chosen adapt_prior (repeatable).") var applyTo: [String] = []

    func run() throws {
        guard !grid.isEmpty, grid.allSatisfy({ $0 > 0 && $0 <= 1e9 }) else { throw ValidationError("--grid needs values in (0, 1e9]") }
        let model = try RewardHead.load(directory: head)
        let evaluation = try PersonalEvaluation(head: model, dataset: try PreferenceDataset.load(path: data), seed: seed)
        guard evaluation.userCount > 0 else { throw ValidationError("no user has both train and test pairs") }
        print("validation: \(evaluation.userCount) users; empirical-Bayes λ of this head = "
            + String(format: "%.3g", PersonalEvaluation.empiricalPrior(model)) + "\n")
        print("| λ | held-out log-loss per pair (mean over n) | Δ accuracy pp vs population (mean over n) |")
        print("|---:|---:|---:|")
        var scores: [PersonalEvaluation.PriorScore] = []
        for lambda in grid.sorted() {
            let s = try evaluation.score(prior: lambda, shots: shots)
            scores.append(s)
            print(String(format: "| %g | %.4f | %+.2f |", lambda, s.logLoss, s.accuracyGain))
        }
        let chosen = PersonalEvaluation.choosePrior(scores)
        print(String(format: "\nchosen λ = %g (lowest held-out log-loss)", chosen.prior))
        for directory in applyTo {
            let path = URL(fileURLWithPath: directory).appendingPathComponent("config.json").path
            guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
            var config = try HeadConfig.decode(data)
            config.adaptPrior = chosen.prior
            guard FileManager.default.createFile(atPath: path, contents: config.encoded()) else { throw ValidationError("cannot write \(path)") }
            print("wrote adapt_prior \(chosen.prior) to \(path)")
        }
    }
}

/// `reward nested-split`: a validation split from a dataset's train split (see
/// `PreferenceDataset.nestedSplit`), for tuning settings without test pairs.
struct NestedSplit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nested-split",
        abstract: "Drop test pairs; hold out whole prompts (topics) of each evaluated user's training pairs as a validation split.")

    @Option(help: "Dataset (NDJSON).") var data: String
    @Option(help: "Output dataset.") var out: String
    @Option(help: "Fraction of an evaluated user's training prompts held out.") var fraction = 0.3
    @Option(help: "Seed of the held-out prompts.") var seed: UInt64 = 2

    func run() throws {
        guard fraction > 0 && fraction < 1 else { throw ValidationError("--fraction must be in (0, 1)") }
        let split = try PreferenceDataset.load(path: data).nestedSplit(fraction: fraction, seed: seed)
        try split.write(path: out)
        print("wrote \(out): \(split.pairs.count) pairs (\(split.pairs.filter { $0.split == .test }.count) held out)")
    }
}
