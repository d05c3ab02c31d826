import Foundation

extension InMemoryPreferenceStore: APIKeyStore {
    public func createAPIKey(_ key: NewAPIKey, ifAbsent: Bool) async throws -> APIKeyRecord? {
        try checkOpen()
        try Validation.apiKey(key)
        guard apiKeys[key.id] == nil else {
            if ifAbsent { return nil }
            throw PreferenceStoreError(.conflict, "a key with id \(key.id) exists")
        }
        tenants.insert(key.tenant)
        let record = APIKeyRecord(id: key.id, tenant: key.tenant, scopes: key.scopes, keyHash: key.keyHash,
                                  label: key.label, createdAt: Date())
        apiKeys[key.id] = record
        return record
    }

    public func apiKeys(includeRevoked: Bool) async throws -> [APIKeyRecord] {
        try checkOpen()
        return apiKeys.values.filter { includeRevoked || !$0.isRevoked }.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }

    public func apiKey(id: String) async throws -> APIKeyRecord? {
        try checkOpen()
        try Validation.apiKeyID(id)
        return apiKeys[id]
    }

    public func revokeAPIKey(id: String) async throws -> APIKeyRecord {
        try checkOpen()
        try Validation.apiKeyID(id)
        guard var record = apiKeys[id] else { throw PreferenceStoreError(.notFound, "no key with id \(id)") }
        if record.revokedAt == nil { record.revokedAt = Date() }
        apiKeys[id] = record
        return record
    }

    public func recordAPIKeyUse(ids: [String]) async throws {
        try checkOpen()
        let now = Date()
        for id in ids where apiKeys[id] != nil { apiKeys[id]?.lastUsedAt = now }
    }
}
