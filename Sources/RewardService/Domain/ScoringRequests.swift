import RewardModel

/// `score` and `rank`: items for one user under an optional prompt.
public struct ScoreQuery: Sendable {
    public var head: String?
    public var user: UserSelector
    public var prompt: Item?
    public var items: [Item]
    /// gpm only: score each item against this item instead of the pool mean.
    public var reference: Item?

    public init(head: String? = nil, user: UserSelector = .population, prompt: Item? = nil, items: [Item], reference: Item? = nil) {
        self.head = head
        self.user = user
        self.prompt = prompt
        self.items = items
        self.reference = reference
    }
}

public struct ScoreResult: Sendable, Equatable {
    public var scores: [Double]
    public var head: String
    public var user: UserSummary

    public init(scores: [Double], head: String, user: UserSummary) {
        self.scores = scores
        self.head = head
        self.user = user
    }
}

public struct RankResult: Sendable, Equatable {
    public var order: [Int]
    public var scores: [Double]
    /// Plackett–Luce probability of `order`; nil for gpm.
    public var probability: Double?
    public var head: String
    public var user: UserSummary
}

/// `compare`: one or more pairs, each with an optional prompt of its own.
public struct CompareQuery: Sendable {
    public struct Pair: Sendable {
        public var prompt: Item?
        public var a: Item
        public var b: Item
        public init(prompt: Item? = nil, a: Item, b: Item) {
            self.prompt = prompt
            self.a = a
            self.b = b
        }
    }

    public var head: String?
    public var user: UserSelector
    public var pairs: [Pair]

    public init(head: String? = nil, user: UserSelector = .population, pairs: [Pair]) {
        self.head = head
        self.user = user
        self.pairs = pairs
    }
}

public struct Preference: Sendable, Equatable {
    /// P(a ≻ b) for the user.
    public var pA: Double
    /// logit P(a ≻ b).
    public var margin: Double
}

public struct CompareResult: Sendable, Equatable {
    public var results: [Preference]
    public var head: String
    public var user: UserSummary
}

/// `next-comparison`: the candidate pair to ask the user about.
public struct NextComparisonQuery: Sendable {
    /// Candidates one request may offer: every pair is scored, so the work grows with the square.
    public static let maxCandidates = RewardHead.maxNextComparisonCandidates

    public var head: String?
    public var user: UserSelector
    public var prompt: Item?
    public var candidates: [Item]
    public init(head: String? = nil, user: UserSelector, prompt: Item? = nil, candidates: [Item]) {
        self.head = head
        self.user = user
        self.prompt = prompt
        self.candidates = candidates
    }
}

public struct NextComparisonResult: Sendable, Equatable {
    public var a: Int
    public var b: Int
    public var expectedGain: Double
    public var pA: Double
    public var head: String
    public var user: UserSummary
}
