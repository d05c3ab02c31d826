import RewardModel

/// What clients see of a loaded head (`GET /v1/heads`).
public struct HeadInfo: Sendable, Equatable {
    public var name: String
    public var kind: String
    public var featureDim: Int
    public var promptDim: Int?
    public var requiresPrompt: Bool
    public var stateDim: Int
    public var isDefault: Bool
    public var version: String
    /// `backbone/dim`: the feature space this head reads and its users' history is recorded in.
    public var featureSpace: String
    public var backbone: String?
    public var parameterCount: Int
    public var seenUsers: Int
    /// λ adapt uses when a request names no prior (nil for bt, which has no user state).
    public var adaptPrior: Double?
}
