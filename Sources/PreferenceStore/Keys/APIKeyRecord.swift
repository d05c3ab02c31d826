import Foundation

/// A stored API key: who it belongs to and what it may do. The secret itself is never stored, only
/// `keyHash` (SHA-256 of the whole key string, computed by the caller), so a leaked table grants nothing.
public struct APIKeyRecord: Sendable, Equatable {
    /// The public part of the key (`rk_<id>_<secret>`), used to find the row; not a secret.
    public var id: String
    public var tenant: String
    public var scopes: [String]
    /// 32 bytes.
    public var keyHash: [UInt8]
    public var label: String?
    public var createdAt: Date
    public var revokedAt: Date?
    /// Updated lazily (about once a minute per key and replica), for audits, not for auth decisions.
    public var lastUsedAt: Date?

    public var isRevoked: Bool { revokedAt != nil }

    public init(id: String, tenant: String, scopes: [String], keyHash: [UInt8], label: String? = nil,
                createdAt: Date, revokedAt: Date? = nil, lastUsedAt: Date? = nil) {
        self.id = id
        self.tenant = tenant
        self.scopes = scopes
        self.keyHash = keyHash
        self.label = label
        self.createdAt = createdAt
        self.revokedAt = revokedAt
        self.lastUsedAt = lastUsedAt
    }
}

/// What `createAPIKey` stores.
public struct NewAPIKey: Sendable, Equatable {
    public var id: String
    public var tenant: String
    public var scopes: [String]
    public var keyHash: [UInt8]
    public var label: String?

    public init(id: String, tenant: String, scopes: [String], keyHash: [UInt8], label: String? = nil) {
        self.id = id
        self.tenant = tenant
        self.scopes = scopes
        self.keyHash = keyHash
        self.label = label
    }
}

/// Where API keys live. Both store implementations conform; replicas sharing one Postgres share the keys.
public protocol APIKeyStore: Sendable {
    /// Stores a key, creating its tenant if needed. With `ifAbsent`, an existing id is left untouched and
    /// nil is returned (container bootstrap); otherwise an existing id throws `.conflict`.
    func createAPIKey(_ key: NewAPIKey, ifAbsent: Bool) async throws -> APIKeyRecord?

    /// Every key (revoked ones too when asked), oldest first.
    func apiKeys(includeRevoked: Bool) async throws -> [APIKeyRecord]

    func apiKey(id: String) async throws -> APIKeyRecord?

    /// Marks the key revoked (idempotent: a revoked key keeps its first `revokedAt`). `.notFound` for an unknown id.
    func revokeAPIKey(id: String) async throws -> APIKeyRecord

    /// Sets `lastUsedAt` to now for these ids (unknown ids are ignored).
    func recordAPIKeyUse(ids: [String]) async throws
}

extension Validation {
    /// Key ids: 4…32 lowercase letters and digits (they sit between underscores in the key string).
    static func apiKeyID(_ id: String) throws {
        guard (4...32).contains(id.utf8.count),
              id.utf8.allSatisfy({ (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else { throw PreferenceStoreError(.invalidInput, "key id must be 4…32 lowercase letters or digits") }
    }

    static func apiKey(_ key: NewAPIKey) throws {
        try apiKeyID(key.id)
        try identifier(key.tenant, "tenant")
        guard key.keyHash.count == 32 else { throw PreferenceStoreError(.invalidInput, "key hash must be 32 bytes") }
        guard !key.scopes.isEmpty else { throw PreferenceStoreError(.invalidInput, "a key needs at least one scope") }
        for scope in key.scopes {
            try identifier(scope, "scope")
            guard !scope.contains(",") else { throw PreferenceStoreError(.invalidInput, "scope names cannot contain commas") }
        }
        if let label = key.label { try identifier(label, "label") }
    }
}
