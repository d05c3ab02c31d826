extension RewardHead {
    /// Multiply-adds to score one item: the shared head's weights (a user's mix over the prototypes
    /// is negligible next to them). Callers use it to tell cheap requests from heavy ones.
    public var multiplyAddsPerItem: Int { math.parameterCount }
}
