import Foundation
import RewardModel

/// Does personalising beat the population model on a user's held-out pairs? For every user with
/// training and test pairs: population (the head at θ̄, the service's cold start) against θ adapted
/// from θ̄ on the user's first n training pairs (random order) and on all of them, as the service's
/// adapt does. The shared-head pass over every pair is done once; each prior then costs only fits.
public struct PersonalEvaluation {
    /// One user's held-out outcome at one n: correct counts (ties ½), summed log-losses, pair count.
    public struct Outcome: Sendable {
        public var population: Double
        public var personalised: Double
        public var populationLogLoss: Double
        public var personalisedLogLoss: Double
        public var pairs: Int
    }

    private struct UserData {
        var heldOut: [PreparedComparison]
        var training: [PreparedComparison]
        var population: (correct: Double, logLoss: Double)
    }

    public let head: RewardHead
    private let users: [UserData]
    /// Training pairs per evaluated user, ascending.
    public let trainingCounts: [Int]

    public init(head: RewardHead, dataset: PreferenceDataset, seed: UInt64) throws {
        self.head = head
        var generator = SeededGenerator(seed: seed)
        let train = dataset.pairIndicesByUser(split: .train), test = dataset.pairIndicesByUser(split: .test)
        func labelled(_ i: Int) -> LabeledComparison {
            let pair = dataset.pairs[i]
            return LabeledComparison(prompt: head.promptDim == nil ? nil : pair.prompt.map { dataset.prompt($0) },
                                     chosen: dataset.item(pair.chosen), rejected: dataset.item(pair.rejected))
        }
        var users: [UserData] = []
        for u in dataset.users.indices where !train[u].isEmpty && !test[u].isEmpty {
            let held = try head.prepare(test[u].map(labelled))
            let order = train[u].shuffled(using: &generator)
            users.append(UserData(heldOut: held, training: try head.prepare(order.map(labelled)),
                                  population: try Self.score(head, held, state: nil)))
        }
        self.users = users
        trainingCounts = users.map(\.training.count).sorted()
    }

    public var userCount: Int { users.count }

    /// Outcomes per row key ("8", "16", …, "all"), one per user that has more than n training pairs
    /// (every user for "all").
    public func outcomes(prior: Double, shots: [Int]) throws -> [String: [Outcome]] {
        var rows: [String: [Outcome]] = [:]
        for user in users {
            for n in shots.filter({ $0 < user.training.count }) + [user.training.count] {
                let state = try head.adapt(Array(user.training.prefix(n)), options: AdaptOptions(prior: prior)).state
                let personal = try Self.score(head, user.heldOut, state: state)
                rows[n == user.training.count ? "all" : "\(n)", default: []].append(Outcome(
                    population: user.population.correct, personalised: personal.correct,
                    populationLogLoss: user.population.logLoss, personalisedLogLoss: personal.logLoss,
                    pairs: user.heldOut.count))
            }
        }
        return rows
    }

    private static func score(_ head: RewardHead, _ prepared: [PreparedComparison], state: UserState?) throws -> (correct: Double, logLoss: Double) {
        var correct = 0.0, logLoss = 0.0
        for p in prepared {
            let m = try head.preference(p, state: state).margin
            correct += m > 0 ? 1 : (m == 0 ? 0.5 : 0)
            logLoss += m > 0 ? log1p(exp(-m)) : -m + log1p(exp(m))  // −log σ(m), stable
        }
        return (correct, logLoss)
    }

    /// λ such that the prior N(θ̄, I/λ) has the spread of the head's trained users' states.
    public static func empiricalPrior(_ head: RewardHead) -> Double {
        let deviations = head.seenUsers.values.flatMap { theta in zip(theta, head.populationState).map { ($0 - $1) * ($0 - $1) } }
        guard !deviations.isEmpty else { return 1 }
        return 1 / max(deviations.reduce(0, +) / Double(deviations.count), 1e-6)
    }

    /// Pooled accuracy (%) of `value` (correct counts) over users and a percentile-bootstrap 95% CI
    /// (users resampled: one user's pairs are not independent).
    public static func bootstrap(_ outcomes: [Outcome], resamples: Int, generator: inout SeededGenerator,
                                 _ value: (Outcome) -> Double) -> (estimate: Double, low: Double, high: Double) {
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
