import PreferenceStore
import RewardAPI

/// The key store, as the API's authenticator reads it.
struct StoreKeySource: KeySource {
    let store: any APIKeyStore

    func activeKeys() async throws -> [KeyEntry] {
        try await store.apiKeys(includeRevoked: false).map {
            KeyEntry(id: $0.id, tenant: $0.tenant, scopes: $0.scopes, hash: $0.keyHash)
        }
    }

    func recordUse(keyIDs: [String]) async throws {
        try await store.recordAPIKeyUse(ids: keyIDs)
    }
}
