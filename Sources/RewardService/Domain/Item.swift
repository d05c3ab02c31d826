import RewardModel

/// One prompt or response as a client sent it: backbone features, or text for the built-in encoder.
public enum Item: Sendable, Equatable {
    case features([Float])
    case text(String)

    var text: String? {
        if case .text(let t) = self { return t }
        return nil
    }
}

/// Whose preferences to apply.
public enum UserSelector: Sendable, Equatable {
    /// No user: the head's population state (cold start).
    case population
    /// A stored user of a tenant: their fitted state, or a cold start when they have none yet.
    case stored(tenant: String, id: String)
    /// A state passed inline by the client (stateless use).
    case inline(theta: [Double])

    /// Largest |θ_k| a head accepts: softmax saturates long before it, and beyond it the prior term overflows.
    public static let maxThetaMagnitude = RewardHead.maxStateMagnitude
}

/// What the response says about the user whose state was applied.
public struct UserSummary: Sendable, Equatable {
    public var id: String?
    /// Version of the stored state (0 for a cold start or an inline state).
    public var version: Int64
    public var coldStart: Bool

    public init(id: String?, version: Int64, coldStart: Bool) {
        self.id = id
        self.version = version
        self.coldStart = coldStart
    }
}
