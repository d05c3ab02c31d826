import Foundation

/// What the caller asks to save: θ for (user, head, head version) and its Laplace precision.
public struct UserStateDraft: Sendable, Equatable {
    public var user: UserKey
    public var head: String
    public var headVersion: String
    public var theta: [Double]
    /// K×K row-major Laplace precision (Hessian) of θ, or nil when not computed.
    public var precision: [Double]?
    /// How many comparisons the state was fitted on.
    public var comparisonCount: Int

    public init(
        user: UserKey, head: String, headVersion: String, theta: [Double], precision: [Double]? = nil,
        comparisonCount: Int
    ) {
        self.user = user
        self.head = head
        self.headVersion = headVersion
        self.theta = theta
        self.precision = precision
        self.comparisonCount = comparisonCount
    }
}

/// A stored user state. `version` starts at 1 and increments on every save (optimistic concurrency).
public struct UserState: Sendable, Equatable {
    public var user: UserKey
    public var head: String
    public var headVersion: String
    public var theta: [Double]
    public var precision: [Double]?
    public var comparisonCount: Int
    public var version: Int64
    public var updatedAt: Date

    public init(
        user: UserKey, head: String, headVersion: String, theta: [Double], precision: [Double]?,
        comparisonCount: Int, version: Int64, updatedAt: Date
    ) {
        self.user = user
        self.head = head
        self.headVersion = headVersion
        self.theta = theta
        self.precision = precision
        self.comparisonCount = comparisonCount
        self.version = version
        self.updatedAt = updatedAt
    }

    init(_ draft: UserStateDraft, version: Int64, updatedAt: Date) {
        self.init(
            user: draft.user, head: draft.head, headVersion: draft.headVersion, theta: draft.theta,
            precision: draft.precision, comparisonCount: draft.comparisonCount, version: version,
            updatedAt: updatedAt)
    }
}

/// What `deleteUser` removed.
public struct DeletedUser: Sendable, Equatable {
    public var comparisons: Int
    public var states: Int

    public init(comparisons: Int, states: Int) {
        self.comparisons = comparisons
        self.states = states
    }
}

/// A user's stored totals.
public struct UserCounts: Sendable, Equatable {
    public var comparisons: Int
    public var comparisonsByFeatureSpace: [String: Int]
    public var states: Int

    public init(comparisons: Int, comparisonsByFeatureSpace: [String: Int], states: Int) {
        self.comparisons = comparisons
        self.comparisonsByFeatureSpace = comparisonsByFeatureSpace
        self.states = states
    }
}

/// A change other processes (replicas) must know about to keep their user-state caches coherent.
public enum StateChange: Sendable, Equatable {
    case stateSaved(UserKey, head: String, version: Int64)
    case userDeleted(UserKey)
    /// Notifications may have been missed (the listening connection was re-established): drop every cached state.
    case resynchronize
}
