import Foundation

/// What annotation-tool integrations need beyond comparisons: which comparisons (and which annotator) each
/// tool label produced — so an update or a deletion that names only the label finds them — and the prediction
/// the service made before each label was stored (prequential accuracy).
public protocol LabelLedger: Sendable {
    /// The comparisons a label (`source`, e.g. `label-studio:12:345`) produced and whose they are; nil if unknown.
    func labelSource(_ source: String, tenant: String) async throws -> LabelSource?

    /// Records (replacing any earlier record) the comparisons a label produced.
    func saveLabelSource(_ source: String, tenant: String, _ value: LabelSource) async throws

    /// Forgets a label. Not an error when it is unknown.
    func deleteLabelSource(_ source: String, tenant: String) async throws

    /// Stores predictions made before their labels were stored. With `replacing`, an existing prediction for
    /// the same (user, head, comparison) is overwritten (the label was edited); otherwise the first one stays
    /// (an idempotent retry must not rewrite history with a better-informed prediction).
    func recordPredictions(_ predictions: [LabelPrediction], for user: UserKey, replacing: Bool) async throws

    /// Accuracy of the recorded predictions whose comparisons still exist: over all and over the latest `window`.
    func predictionStats(for user: UserKey, head: String, window: Int) async throws -> PredictionStats
}

public struct LabelSource: Sendable, Equatable {
    public var userID: String
    public var clientIDs: [String]
    public init(userID: String, clientIDs: [String]) {
        self.userID = userID
        self.clientIDs = clientIDs
    }
}

public struct LabelPrediction: Sendable, Equatable {
    public var clientID: String
    public var head: String
    /// P(chosen ≻ rejected) under the user's state at the time.
    public var pChosen: Double
    /// The user state version used (0: population / cold start).
    public var stateVersion: Int64
    public init(clientID: String, head: String, pChosen: Double, stateVersion: Int64) {
        self.clientID = clientID
        self.head = head
        self.pChosen = pChosen
        self.stateVersion = stateVersion
    }
}

public struct PredictionStats: Sendable, Equatable {
    public var total: Int
    /// Predictions that gave the chosen item p > 0.5.
    public var correct: Int
    public var recentTotal: Int
    public var recentCorrect: Int
    /// Mean −log p(chosen); nil without predictions.
    public var meanLogLoss: Double?
    /// Predictions made from a fitted state (version > 0) rather than the population.
    public var personalized: Int
    public init(total: Int, correct: Int, recentTotal: Int, recentCorrect: Int, meanLogLoss: Double?, personalized: Int) {
        self.total = total
        self.correct = correct
        self.recentTotal = recentTotal
        self.recentCorrect = recentCorrect
        self.meanLogLoss = meanLogLoss
        self.personalized = personalized
    }
}

extension Validation {
    static func predictions(_ predictions: [LabelPrediction]) throws {
        guard predictions.count <= maxBatch else { throw PreferenceStoreError(.invalidInput, "at most \(maxBatch) predictions") }
        for p in predictions {
            try identifier(p.clientID, "comparison id")
            try identifier(p.head, "head")
            guard p.pChosen.isFinite, (0...1).contains(p.pChosen) else {
                throw PreferenceStoreError(.invalidInput, "a prediction is a probability in [0, 1]")
            }
        }
    }
}
