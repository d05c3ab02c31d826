/// Where the authenticator reads keys from. RewardAPI does not see the store module (it depends on
/// HTTPServer and RewardService only); the executable adapts `PreferenceStore.APIKeyStore` to this.
public protocol KeySource: Sendable {
    /// Every non-revoked key.
    func activeKeys() async throws -> [KeyEntry]
    /// Marks keys as used now (for `reward keys list`); best effort.
    func recordUse(keyIDs: [String]) async throws
}

/// A key as the authenticator needs it: no secret, only its hash.
public struct KeyEntry: Sendable, Equatable {
    public var id: String
    public var tenant: String
    /// Scope names; unknown names (from a newer binary) are ignored, never widened.
    public var scopes: [String]
    /// SHA-256 of the full key string.
    public var hash: [UInt8]

    public init(id: String, tenant: String, scopes: [String], hash: [UInt8]) {
        self.id = id
        self.tenant = tenant
        self.scopes = scopes
        self.hash = hash
    }
}
