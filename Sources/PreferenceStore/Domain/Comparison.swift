import Foundation

/// A labelled pair as the caller submits it: `chosen` was preferred over `rejected`.
/// Features are the frozen backbone's vectors for `featureSpace` (e.g. "all-MiniLM-L6-v2/384").
public struct NewComparison: Sendable, Equatable {
    public var clientID: String?
    public var featureSpace: String
    public var prompt: [Float]?
    public var chosen: [Float]
    public var rejected: [Float]
    public var promptText: String?
    public var chosenText: String?
    public var rejectedText: String?
    public var weight: Double
    public var source: String?

    public init(
        clientID: String? = nil, featureSpace: String, prompt: [Float]? = nil, chosen: [Float], rejected: [Float],
        promptText: String? = nil, chosenText: String? = nil, rejectedText: String? = nil,
        weight: Double = 1, source: String? = nil
    ) {
        self.clientID = clientID
        self.featureSpace = featureSpace
        self.prompt = prompt
        self.chosen = chosen
        self.rejected = rejected
        self.promptText = promptText
        self.chosenText = chosenText
        self.rejectedText = rejectedText
        self.weight = weight
        self.source = source
    }
}

/// A comparison as stored. `sequence` orders a user's history (it is the cursor position);
/// `clientID` is the caller's id (or the UUID the store generated).
public struct StoredComparison: Sendable, Equatable, Identifiable {
    public var sequence: Int64
    public var clientID: String
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

    public var id: String { clientID }

    public init(
        sequence: Int64, clientID: String, featureSpace: String, prompt: [Float]?, chosen: [Float], rejected: [Float],
        promptText: String?, chosenText: String?, rejectedText: String?, weight: Double, source: String?,
        createdAt: Date, updatedAt: Date
    ) {
        self.sequence = sequence
        self.clientID = clientID
        self.featureSpace = featureSpace
        self.prompt = prompt
        self.chosen = chosen
        self.rejected = rejected
        self.promptText = promptText
        self.chosenText = chosenText
        self.rejectedText = rejectedText
        self.weight = weight
        self.source = source
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    init(_ new: NewComparison, clientID: String, sequence: Int64, createdAt: Date, updatedAt: Date) {
        self.init(
            sequence: sequence, clientID: clientID, featureSpace: new.featureSpace, prompt: new.prompt,
            chosen: new.chosen, rejected: new.rejected, promptText: new.promptText, chosenText: new.chosenText,
            rejectedText: new.rejectedText, weight: new.weight, source: new.source,
            createdAt: createdAt, updatedAt: updatedAt)
    }

    /// The content that idempotency compares: everything the caller supplied.
    /// Features compare bit for bit (so a retry must resend the same floats, and NaN cannot sneak in).
    func hasSameContent(as new: NewComparison) -> Bool {
        featureSpace == new.featureSpace
            && FeatureBits.equal(prompt, new.prompt) && FeatureBits.equal(chosen, new.chosen)
            && FeatureBits.equal(rejected, new.rejected)
            && promptText == new.promptText && chosenText == new.chosenText && rejectedText == new.rejectedText
            && weight.bitPattern == new.weight.bitPattern && source == new.source
    }
}

/// What `appendComparisons` did: one stored row per input (in input order) and how many were new.
public struct AppendResult: Sendable, Equatable {
    public var comparisons: [StoredComparison]
    public var insertedCount: Int

    public init(comparisons: [StoredComparison], insertedCount: Int) {
        self.comparisons = comparisons
        self.insertedCount = insertedCount
    }
}

enum FeatureBits {
    static func equal(_ a: [Float]?, _ b: [Float]?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case let (x?, y?): return equal(x, y)
        default: return false
        }
    }

    static func equal(_ a: [Float], _ b: [Float]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }
    }
}
