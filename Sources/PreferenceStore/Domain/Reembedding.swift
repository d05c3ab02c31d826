/// Re-embedding stored history when the backbone changes (`reward reembed`): comparisons outside a
/// target feature space are read page by page with their texts, embedded again by the caller and
/// written back in the target space.
public enum Reembedding {
    /// Keyset position in the whole table (all tenants and users), by primary key.
    public struct Cursor: Sendable, Equatable {
        public var tenant: String
        public var userID: String
        public var clientID: String
        public static let start = Cursor(tenant: "", userID: "", clientID: "")
    }

    /// A stored comparison outside the target feature space. `isReembeddable` is false when one of
    /// its vectors was sent as features without a text (it cannot be recomputed).
    public struct Candidate: Sendable, Equatable {
        public var tenant: String
        public var userID: String
        public var clientID: String
        public var featureSpace: String
        public var promptText: String?
        public var chosenText: String?
        public var rejectedText: String?
        public var hasPromptFeatures: Bool

        public var isReembeddable: Bool {
            chosenText != nil && rejectedText != nil && (!hasPromptFeatures || promptText != nil)
        }
    }

    public struct Page: Sendable {
        public var candidates: [Candidate]
        /// Where the next page starts; nil after the last page.
        public var next: Cursor?
    }

    /// New vectors for a candidate. The row is updated only if it still holds the candidate's
    /// feature space and texts (a concurrent edit wins; the next run picks it up).
    public struct Update: Sendable {
        public var candidate: Candidate
        public var prompt: [Float]?
        public var chosen: [Float]
        public var rejected: [Float]
        public init(candidate: Candidate, prompt: [Float]?, chosen: [Float], rejected: [Float]) {
            self.candidate = candidate
            self.prompt = prompt
            self.chosen = chosen
            self.rejected = rejected
        }
    }

    public struct Applied: Sendable, Equatable {
        /// Comparisons moved into the target space.
        public var comparisons: Int
        /// Users whose comparisons moved; their stored states (every head) were invalidated, so they
        /// are refitted from history on next use.
        public var users: Set<UserKey>
    }
}
