import Foundation
import Testing

@testable import PreferenceStore

/// The implementations the shared contract suite runs against. Postgres only when a database is configured.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case memory, postgres

    static var available: [StoreKind] { TestDatabase.isConfigured ? [.memory, .postgres] : [.memory] }

    var testDescription: String { rawValue }

    func makeStore() async throws -> any PreferenceStore {
        switch self {
        case .memory: InMemoryPreferenceStore()
        case .postgres: try await TestDatabase.sharedStore()
        }
    }

    /// A fresh store plus a user in a tenant of its own, so tests never see each other's rows.
    func makeFixture() async throws -> (store: any PreferenceStore, user: UserKey) {
        let store = try await makeStore()
        let tenant = TestDatabase.uniqueName("tenant")
        try await store.ensureTenant(tenant)
        return (store, UserKey(tenant: tenant, userID: "user-1"))
    }
}

enum Fixtures {
    static let space = "all-MiniLM-L6-v2/384"

    /// Deterministic, distinct features per seed (exactly representable values, including negatives).
    static func features(_ seed: Int, dim: Int = 8) -> [Float] {
        (0..<dim).map { Float((seed * 31 + $0 * 7) % 97) / 8 - 6 }
    }

    static func comparison(_ seed: Int, id: String? = nil, dim: Int = 8, space: String = Fixtures.space, prompt: Bool = true) -> NewComparison {
        NewComparison(
            clientID: id, featureSpace: space, prompt: prompt ? features(seed + 1000, dim: dim) : nil,
            chosen: features(seed, dim: dim), rejected: features(seed + 500, dim: dim),
            promptText: "prompt \(seed)", chosenText: "chosen \(seed)", rejectedText: nil,
            weight: 1 + Double(seed % 3) / 4, source: "test")
    }

    static func expectSameContent(_ stored: StoredComparison, _ new: NewComparison, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(stored.hasSameContent(as: new), "stored \(stored.clientID) differs from what was appended", sourceLocation: sourceLocation)
    }
}

/// Runs `body` and returns the `PreferenceStoreError` it threw (nil if it did not throw one).
func storeError(_ body: () async throws -> Void) async -> PreferenceStoreError? {
    do {
        try await body()
        return nil
    } catch let error as PreferenceStoreError {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}
