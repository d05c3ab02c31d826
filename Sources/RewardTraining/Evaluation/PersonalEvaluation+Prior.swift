import Foundation

extension PersonalEvaluation {
    /// How one candidate λ did on held-out pairs, averaged over the rows (each n, and "all") so
    /// that the few-label rows weigh as much as the many-label one.
    public struct PriorScore: Sendable {
        public var prior: Double
        /// Mean over rows of the pooled held-out log-loss per pair (personalised).
        public var logLoss: Double
        /// Mean over rows of pooled personalised − population accuracy, in percentage points.
        public var accuracyGain: Double
    }

    public func score(prior: Double, shots: [Int]) throws -> PriorScore {
        let rows = try outcomes(prior: prior, shots: shots).values.filter { !$0.isEmpty }
        guard !rows.isEmpty else { return PriorScore(prior: prior, logLoss: .infinity, accuracyGain: 0) }
        var logLoss = 0.0, gain = 0.0
        for row in rows {
            let pairs = Double(row.reduce(0) { $0 + $1.pairs })
            logLoss += row.reduce(0) { $0 + $1.personalisedLogLoss } / pairs
            gain += 100 * row.reduce(0) { $0 + $1.personalised - $1.population } / pairs
        }
        return PriorScore(prior: prior, logLoss: logLoss / Double(rows.count), accuracyGain: gain / Double(rows.count))
    }

    /// The candidate with the lowest held-out log-loss (a proper score: it rewards calibrated
    /// probabilities, and is less noisy than accuracy on a few hundred pairs). Ties within 1e-4 go
    /// to the larger λ, the smaller departure from the population model.
    public static func choosePrior(_ scores: [PriorScore]) -> PriorScore {
        precondition(!scores.isEmpty, "no candidate priors")
        let best = scores.map(\.logLoss).min()!
        return scores.filter { $0.logLoss <= best + 1e-4 }.max { $0.prior < $1.prior }!
    }
}
