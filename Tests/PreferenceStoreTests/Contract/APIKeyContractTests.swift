import Foundation
import Testing

@testable import PreferenceStore

@Suite struct APIKeyContractTests {
    static func keyStore(_ kind: StoreKind) async throws -> any PreferenceStore & APIKeyStore {
        switch kind {
        case .memory: InMemoryPreferenceStore()
        case .postgres: try await TestDatabase.sharedStore()
        }
    }

    /// A fresh key id (the shared Postgres schema holds every test's keys).
    static func newKey(tenant: String, scopes: [String] = ["score"], hashByte: UInt8 = 7) -> NewAPIKey {
        let id = String(UUID().uuidString.lowercased().filter { $0 != "-" }.prefix(16))
        return NewAPIKey(id: id, tenant: tenant, scopes: scopes, keyHash: [UInt8](repeating: hashByte, count: 32), label: "ci")
    }

    @Test(arguments: StoreKind.available)
    func createGetListRevoke(kind: StoreKind) async throws {
        let store = try await Self.keyStore(kind)
        let tenant = TestDatabase.uniqueName("keys")
        let key = Self.newKey(tenant: tenant, scopes: ["score", "write"])
        let created = try #require(try await store.createAPIKey(key, ifAbsent: false))
        #expect(created.id == key.id && created.tenant == tenant && created.scopes == ["score", "write"])
        #expect(created.keyHash == key.keyHash && created.label == "ci" && created.revokedAt == nil)
        #expect(try await store.apiKey(id: key.id) == created)

        // The key's tenant now exists: its users can be written.
        _ = try await store.appendComparisons([Fixtures.comparison(1)], for: UserKey(tenant: tenant, userID: "u"))

        let active = try await store.apiKeys(includeRevoked: false)
        #expect(active.contains(created))
        let revoked = try await store.revokeAPIKey(id: key.id)
        #expect(revoked.revokedAt != nil)
        let again = try await store.revokeAPIKey(id: key.id)
        #expect(again.revokedAt == revoked.revokedAt, "revoking twice keeps the first time")
        #expect(try await !store.apiKeys(includeRevoked: false).contains { $0.id == key.id })
        #expect(try await store.apiKeys(includeRevoked: true).contains { $0.id == key.id && $0.isRevoked })
    }

    @Test(arguments: StoreKind.available)
    func duplicateIDsConflictUnlessIfAbsent(kind: StoreKind) async throws {
        let store = try await Self.keyStore(kind)
        let key = Self.newKey(tenant: TestDatabase.uniqueName("keys"))
        _ = try await store.createAPIKey(key, ifAbsent: false)
        var other = key
        other.keyHash = [UInt8](repeating: 9, count: 32)
        #expect(await storeError { _ = try await store.createAPIKey(other, ifAbsent: false) }?.code == .conflict)
        #expect(try await store.createAPIKey(other, ifAbsent: true) == nil)
        #expect(try await store.apiKey(id: key.id)?.keyHash == key.keyHash, "the stored key is untouched")
    }

    @Test(arguments: StoreKind.available)
    func invalidKeysAndUnknownIDs(kind: StoreKind) async throws {
        let store = try await Self.keyStore(kind)
        let tenant = TestDatabase.uniqueName("keys")
        var bad = Self.newKey(tenant: tenant)
        bad.id = "Has_Underscore"
        #expect(await storeError { _ = try await store.createAPIKey(bad, ifAbsent: false) }?.code == .invalidInput)
        bad = Self.newKey(tenant: tenant)
        bad.keyHash = [1, 2, 3]
        #expect(await storeError { _ = try await store.createAPIKey(bad, ifAbsent: false) }?.code == .invalidInput)
        bad = Self.newKey(tenant: tenant, scopes: [])
        #expect(await storeError { _ = try await store.createAPIKey(bad, ifAbsent: false) }?.code == .invalidInput)
        #expect(try await store.apiKey(id: "nosuchkey") == nil)
        #expect(await storeError { _ = try await store.revokeAPIKey(id: "nosuchkey") }?.code == .notFound)
    }

    @Test(arguments: StoreKind.available)
    func useIsRecorded(kind: StoreKind) async throws {
        let store = try await Self.keyStore(kind)
        let key = Self.newKey(tenant: TestDatabase.uniqueName("keys"))
        _ = try await store.createAPIKey(key, ifAbsent: false)
        #expect(try await store.apiKey(id: key.id)?.lastUsedAt == nil)
        try await store.recordAPIKeyUse(ids: [key.id, "unknownid"])
        #expect(try await store.apiKey(id: key.id)?.lastUsedAt != nil)
    }
}
