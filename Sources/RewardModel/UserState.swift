import Foundation
import Tensors

/// A user's state for one head: θ (K numbers) and optionally its Laplace posterior precision.
public struct UserState: Sendable, Equatable {
    public var theta: [Double]
    /// K×K row-major posterior precision (the Hessian of the adapt objective at θ).
    public var precision: [Double]?

    public init(theta: [Double], precision: [Double]? = nil) {
        self.theta = theta
        self.precision = precision
    }
}

/// Items (and prompts) for one head, in groups that share a prompt and a user state. The service
/// coalesces concurrent requests into one batch: every item goes through the shared head in one
/// sgemm, then each group applies its own user state.
public struct ScoringBatch: Sendable {
    public struct Group: Sendable {
        /// Rows of `items` that belong to this group. For `compare`, consecutive rows are pairs (a, b).
        public var rows: Range<Int>
        /// Row of `prompts`, or nil for no prompt.
        public var prompt: Int?
        /// The user's state; nil means the head's population state (cold start).
        public var state: UserState?
        /// gpm only: row of `items` that scores are measured against (else: the mean over the group).
        public var reference: Int?

        public init(rows: Range<Int>, prompt: Int? = nil, state: UserState? = nil, reference: Int? = nil) {
            self.rows = rows
            self.prompt = prompt
            self.state = state
            self.reference = reference
        }
    }

    public var items: Matrix
    public var prompts: Matrix?
    public var groups: [Group]

    public init(items: Matrix, prompts: Matrix? = nil, groups: [Group]) {
        self.items = items
        self.prompts = prompts
        self.groups = groups
    }
}

/// P(a≻b) and margin = logit P(a≻b).
public struct PairPreference: Sendable, Equatable {
    public var probability: Double
    public var margin: Double
}

/// Items best first. `scores` are what the order sorts by: the scalar scores for bt, pal-a, pal-b;
/// the mean pairwise preference (Borda) for gpm and micro (whose mixture P can disagree with its
/// scalar score). `probability` is the Plackett–Luce probability of the order (Σ_k π_k PL_k for
/// micro); nil for gpm, which has no order probability.
public struct Ranking: Sendable, Equatable {
    public var order: [Int]
    public var scores: [Double]
    public var logProbability: Double?
    public var probability: Double? { logProbability.map { Foundation.exp($0) } }
}
