import ArgumentParser
import Foundation
import RewardModel
import RewardTraining
import Tensors

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
    @Option(help: "λ of adapt's prior; 0 = empirical Bayes: 1 / variance of the head's seen users' θ around θ̄.") var prior: Double = 1
    @Option(help: "Seed of the training-pair order and the bootstrap.") var seed: UInt64 = 1
    @Option(help: "Bootstrap resamples.") var resamples = 2000

    /// One user's held-out outcome: correct counts (ties ½) and test pair count.
    struct Outcome { var population: Double; var personalised: Double; var pairs: Int }

    func run() throws {
        let head = try RewardHead.load(directory: head)
        let dataset = try PreferenceDataset.load(path: data)
        var generator = SeededGenerator(seed: seed)
        let prior = self.prior > 0 ? self.prior : Self.empiricalPrior(head)
        let train = dataset.pairIndicesByUser(split: .train), test = dataset.pairIndicesByUser(split: .test)
        let users = dataset.users.indices.filter { !train[$0].isEmpty && !test[$0].isEmpty }
        var rows: [String: [Outcome]] = [:]
        var trainCounts: [Int] = []
        for u in users {
            let held = try head.prepare(test[u].map { comparison(dataset, dataset.pairs[$0], head: head) })
            let population = try correct(head, held, state: nil)
            let order = train[u].shuffled(using: &generator)
            trainCounts.append(order.count)
            let sizes = shots.filter { $0 < order.count } + [order.count]
            for n in sizes {
                let state = try head.adapt(order.prefix(n).map { comparison(dataset, dataset.pairs[$0], head: head) },
                                           options: AdaptOptions(prior: prior)).state
                let key = n == order.count ? "all" : "\(n)"
                rows[key, default: []].append(Outcome(population: population, personalised: try correct(head, held, state: state), pairs: held.count))
            }
        }
        guard !users.isEmpty else { throw ValidationError("no user has both train and test pairs") }
        trainCounts.sort()
        print("**\(URL(fileURLWithPath: self.head).lastPathComponent)** (\(head.kind.rawValue), K=\(head.stateDim)) on \(URL(fileURLWithPath: data).lastPathComponent): "
            + "\(users.count) users, training pairs per user \(trainCounts.first!)–\(trainCounts.last!) (median \(trainCounts[trainCounts.count / 2])), adapt prior λ=\(String(format: "%.3g", prior))\(self.prior > 0 ? "" : " (empirical Bayes)")\n")
        print("| training pairs n | users | held-out pairs | population % (θ̄) [95% CI] | personalised % [95% CI] | Δ pp [95% CI] |")
        print("|---|---:|---:|---:|---:|---:|")
        for key in shots.map(String.init) + ["all"] {
            guard let outcomes = rows[key], !outcomes.isEmpty else { continue }
            let (p, pLow, pHigh) = bootstrap(outcomes, generator: &generator) { $0.population }
            let (q, qLow, qHigh) = bootstrap(outcomes, generator: &generator) { $0.personalised }
            let (d, dLow, dHigh) = bootstrap(outcomes, generator: &generator) { $0.personalised - $0.population }
            print("| \(key == "all" ? "all (each user's own)" : key) | \(outcomes.count) | \(outcomes.reduce(0) { $0 + $1.pairs }) | "
                + String(format: "%.1f [%.1f, %.1f] | %.1f [%.1f, %.1f] | %+.1f [%+.1f, %+.1f] |", p, pLow, pHigh, q, qLow, qHigh, d, dLow, dHigh))
        }
        print("\nAccuracy pooled over held-out pairs (ties count ½); CI: percentile bootstrap over users, \(resamples) resamples.")
    }

    /// λ such that the prior N(θ̄, I/λ) has the spread of the trained users' states.
    static func empiricalPrior(_ head: RewardHead) -> Double {
        let deviations = head.seenUsers.values.flatMap { theta in zip(theta, head.populationState).map { ($0 - $1) * ($0 - $1) } }
        guard !deviations.isEmpty else { return 1 }
        return 1 / max(deviations.reduce(0, +) / Double(deviations.count), 1e-6)
    }

    private func comparison(_ data: PreferenceDataset, _ pair: PreferenceDataset.Pair, head: RewardHead) -> LabeledComparison {
        LabeledComparison(prompt: head.promptDim == nil ? nil : pair.prompt.map { data.prompt($0) },
                          chosen: data.item(pair.chosen), rejected: data.item(pair.rejected))
    }

    private func correct(_ head: RewardHead, _ prepared: [PreparedComparison], state: UserState?) throws -> Double {
        try prepared.reduce(0) { total, p in
            let m = try head.preference(p, state: state).margin
            return total + (m > 0 ? 1 : (m == 0 ? 0.5 : 0))
        }
    }

    /// Pooled accuracy (%) of `value` (correct counts) over users, with a percentile bootstrap CI.
    private func bootstrap(_ outcomes: [Outcome], generator: inout SeededGenerator, _ value: (Outcome) -> Double) -> (Double, Double, Double) {
        func pooled(_ sample: [Outcome]) -> Double { 100 * sample.reduce(0) { $0 + value($1) } / Double(sample.reduce(0) { $0 + $1.pairs }) }
        var estimates: [Double] = []
        estimates.reserveCapacity(resamples)
        for _ in 0..<resamples {
            estimates.append(pooled((0..<outcomes.count).map { _ in outcomes[Int.random(in: 0..<outcomes.count, using: &generator)] }))
        }
        estimates.sort()
        return (pooled(outcomes), estimates[Int(0.025 * Double(resamples))], estimates[min(resamples - 1, Int(0.975 * Double(resamples)))])
    }
}
