import Foundation
import RewardModel

/// A labelled pair as a client submits it (`chosen` ≻ `rejected`).
public struct ComparisonSubmission: Sendable {
    public var id: String?
    public var prompt: Item?
    public var chosen: Item
    public var rejected: Item
    public var weight: Double
    public var source: String?

    public init(id: String? = nil, prompt: Item? = nil, chosen: Item, rejected: Item, weight: Double = 1, source: String? = nil) {
        self.id = id
        self.prompt = prompt
        self.chosen = chosen
        self.rejected = rejected
        self.weight = weight
        self.source = source
    }
}

public struct AdaptSettings: Sendable, Equatable {
    /// λ in (λ/2)‖θ − θ̄‖²; nil: the head's own (`adapt_prior` in its config, else 1).
    public var prior: Double?
    /// ε: expected rate of flipped labels (rDPO-corrected loss when > 0).
    public var labelNoise: Double
    public init(prior: Double? = nil, labelNoise: Double = 0) {
        self.prior = prior
        self.labelNoise = labelNoise
    }

    /// The model's options for `head`: the request's λ, else the head's.
    func options(for head: RewardHead) -> AdaptOptions {
        AdaptOptions(prior: prior ?? head.config.defaultAdaptPrior, labelNoise: labelNoise)
    }
}

public struct AdaptOutcome: Sendable, Equatable {
    public var head: String
    public var theta: [Double]
    /// Stored version after the save (0 for a stateless adapt).
    public var version: Int64
    public var n: Int
    public var trainAccuracy: Double
    public var loss: Double
    public var gradientNorm: Double
    public var iterations: Int
    public var converged: Bool
    public var tookMs: Double
}

/// One stored comparison as the API shows it.
public struct ComparisonRecord: Sendable, Equatable {
    public var id: String
    public var sequence: Int64
    public var featureSpace: String
    public var prompt: [Float]?
    public var chosen: [Float]
    public var rejected: [Float]
    public var promptText: String?
    public var chosenText: String?
    public var rejectedText: String?
    public var weight: Double
    public var source: String?
    public var createdAt: Date
    public var updatedAt: Date
}

public struct AppendOutcome: Sendable {
    public var stored: Int
    public var comparisons: [ComparisonRecord]
    public var adapt: AdaptOutcome?
}

public struct HistoryPageResult: Sendable {
    public var comparisons: [ComparisonRecord]
    public var nextCursor: String?
}

public struct UserView: Sendable, Equatable {
    public var id: String
    public var head: String
    public var theta: [Double]
    public var version: Int64
    public var coldStart: Bool
    public var comparisons: Int
    public var updatedAt: Date?
}
