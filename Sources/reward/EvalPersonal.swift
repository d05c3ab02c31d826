import ArgumentParser
import Foundation
import RewardModel
import RewardTraining

/// `reward eval-personal`: does personalising beat the population model on a user's held-out
/// judgments? For every user with training and test pairs: population accuracy (the head at θ̄, the
/// service's cold start) and personalised accuracy (θ adapted from θ̄ on the user's first n training
/// pairs, as the service's adapt does), for several n and for all of them. 95% confidence intervals
/// by a bootstrap over users (pairs of one user are not independent). Prompts are used when the
/// dataset has them (UKPConvArg1: debate title + stance).
struct EvalPersonal: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval-personal",
        abstract: "Personalised vs population accuracy on held-out pairs per number of training pairs, with 95% CIs.")

    @Option(help: "Head directory (trained on the dataset's train split).") var head: String
    @Option(help: "Dataset (NDJSON, docs/DATASETS.md), e.g. from reward text-dataset ukp.") var data: String
    @Option(parsing: .upToNextOption, help: "Numbers of a user's training pairs to adapt on (plus all of them).") var shots = [8, 16, 32, 64]
    @Option(help: "λ of adapt's prior (default: the head's adapt_prior, as the service uses; else 1); 0 = empirical Bayes: 1 / variance of the head's seen users' θ around θ̄.")
    var prior: Double?
    @Option(help: "Seed of the training-pair order and the bootstrap.") var seed: UInt64 = 1
    @Option(help: "Bootstrap resamples.") var resamples = 2000

    func run() throws {
        let model = try RewardHead.load(directory: head)
        let evaluation = try PersonalEvaluation(head: model, dataset: try PreferenceDataset.load(path: data), seed: seed)
        guard evaluation.userCount > 0 else { throw ValidationError("no user has both train and test pairs") }
        let (lambda, origin): (Double, String) = switch prior {
        case nil: (model.config.defaultAdaptPrior, model.config.adaptPrior == nil ? "default" : "the head's adapt_prior")
        case 0?: (PersonalEvaluation.empiricalPrior(model), "empirical Bayes")
        case let value?: (value, "--prior")
        }
        let rows = try evaluation.outcomes(prior: lambda, shots: shots)
        let counts = evaluation.trainingCounts
        print("**\(URL(fileURLWithPath: head).lastPathComponent)** (\(model.kind.rawValue), K=\(model.stateDim)) on \(URL(fileURLWithPath: data).lastPathComponent): "
            + "\(evaluation.userCount) users, training pairs per user \(counts.first!)–\(counts.last!) (median \(counts[counts.count / 2])), "
            + "adapt prior λ=\(String(format: "%.3g", lambda)) (\(origin))\n")
        print("| training pairs n | users | held-out pairs | population % (θ̄) [95% CI] | personalised % [95% CI] | Δ pp [95% CI] |")
        print("|---|---:|---:|---:|---:|---:|")
        var generator = SeededGenerator(seed: seed)
        for key in shots.map(String.init) + ["all"] {
            guard let outcomes = rows[key], !outcomes.isEmpty else { continue }
            let p = PersonalEvaluation.bootstrap(outcomes, resamples: resamples, generator: &generator) { $0.population }
            let q = PersonalEvaluation.bootstrap(outcomes, resamples: resamples, generator: &generator) { $0.personalised }
            let d = PersonalEvaluation.bootstrap(outcomes, resamples: resamples, generator: &generator) { $0.personalised - $0.population }
            print("| \(key == "all" ? "all (each user's own)" : key) | \(outcomes.count) | \(outcomes.reduce(0) { $0 + $1.pairs }) | "
                + String(format: "%.1f [%.1f, %.1f] | %.1f [%.1f, %.1f] | %+.1f [%+.1f, %+.1f] |",
                         p.estimate, p.low, p.high, q.estimate, q.low, q.high, d.estimate, d.low, d.high))
        }
        print("\nAccuracy pooled over held-out pairs (ties count ½); CI: percentile bootstrap over users, \(resamples) resamples.")
    }
}
