/// Cache key of a user's state for one head.
struct StateKey: Hashable, Sendable {
    var tenant: String
    var user: String
    var head: String
}

/// A resolved user state as scoring needs it. Cold starts are cached too, so an unknown user does
/// not cost a database round trip per request; a save anywhere (NOTIFY) evicts the entry.
struct CachedState: Sendable {
    var theta: [Double]
    var precision: [Double]?
    /// Stored version (0: nothing stored yet).
    var version: Int64
    var headVersion: String
    var coldStart: Bool
}

/// Cache key of one stored comparison's shared-head outputs: valid for one head version and one
/// content of the comparison (`updatedAt` changes when a label is edited).
struct PreparedKey: Hashable, Sendable {
    var tenant: String
    var user: String
    var head: String
    var headVersion: String
    var sequence: Int64
    var updatedAt: Double
}
