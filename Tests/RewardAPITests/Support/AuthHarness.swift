import Foundation
import HTTPServer
import PreferenceStore
import Testing
@testable import RewardAPI

/// The API with keys on: one in-memory store holds users and keys; the authenticator reloads its snapshot
/// on every request, so a key created or revoked is seen at once (the TTL path has its own tests).
struct AuthHarness {
    let api: APITestHarness
    let store: InMemoryPreferenceStore

    init(mode: KeyAuthenticator.Mode = .whenKeysExist, rateLimit: Double? = nil, cors: [String] = [],
         timing: KeyAuthenticator.Timing = AuthHarness.immediate) throws {
        let store = InMemoryPreferenceStore()
        self.store = store
        api = try APITestHarness(cors: cors, store: store) { c, _ in
            c.authenticator = KeyAuthenticator(source: MemoryKeySource(store: store), mode: mode, timing: timing)
            c.rateLimitPerKey = rateLimit
        }
    }

    static var immediate: KeyAuthenticator.Timing {
        var t = KeyAuthenticator.Timing()
        t.refreshAfter = .zero
        t.expireAfter = .zero
        t.retryAfterFailure = .zero
        return t
    }

    /// Creates a key and returns its full string.
    @discardableResult
    func key(tenant: String = "default", _ scopes: [Scope]) async throws -> String {
        let token = APIKeyToken.generate()
        _ = try await store.createAPIKey(NewAPIKey(id: token.id, tenant: tenant, scopes: scopes.map(\.name), keyHash: token.hash),
                                         ifAbsent: false)
        return token.string
    }

    func call(_ method: HTTPMethod, _ target: String, key: String?, json: String? = nil,
              headers: HTTPHeaders = [:]) async throws -> APITestHarness.Reply {
        var h = headers
        if let key { h.add("Authorization", "Bearer \(key)") }
        return try await api.call(method, target, json: json, headers: h)
    }
}

struct MemoryKeySource: KeySource {
    let store: any APIKeyStore
    func activeKeys() async throws -> [KeyEntry] {
        try await store.apiKeys(includeRevoked: false).map { KeyEntry(id: $0.id, tenant: $0.tenant, scopes: $0.scopes, hash: $0.keyHash) }
    }
    func recordUse(keyIDs: [String]) async throws { try await store.recordAPIKeyUse(ids: keyIDs) }
}

/// Every route of the real router, with a concrete path and a body that gets past validation.
struct RouteSample: CustomTestStringConvertible, Sendable {
    let method: HTTPMethod
    let template: String
    let access: RouteAccess

    static var all: [RouteSample] {
        RewardApplication.makeRouter().table.map { RouteSample(method: $0.method, template: $0.template, access: $0.handler.access) }
    }

    var testDescription: String { "\(method) \(template)" }

    var path: String {
        template.replacingOccurrences(of: "{user}", with: "alice").replacingOccurrences(of: "{comparison}", with: "c0")
            .replacingOccurrences(of: "{name}", with: "pal-b")
    }

    var body: String? {
        let item = #"{"features":\#(APITestHarness.vector(1))}"#, other = #"{"features":\#(APITestHarness.vector(2))}"#
        let comparison = #"{"chosen":\#(item),"rejected":\#(other)}"#
        switch (method, template) {
        case (.post, "/v1/score"), (.post, "/v1/rank"): return #"{"user":"alice","items":[\#(item),\#(other)]}"#
        case (.post, "/v1/compare"): return #"{"user":"alice","a":\#(item),"b":\#(other)}"#
        case (.post, "/v1/adapt"): return #"{"comparisons":[\#(comparison)]}"#
        case (.post, "/v1/embed"): return #"{"texts":["hello"]}"#
        case (.post, "/v1/users/{user}/comparisons"): return #"{"comparisons":[\#(comparison)]}"#
        case (.put, _): return comparison
        case (.post, "/v1/users/{user}/next-comparison"): return #"{"candidates":[\#(item),\#(other)]}"#
        case (.post, _): return "{}"
        default: return nil
        }
    }
}
