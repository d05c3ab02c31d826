import Foundation
import HTTPServer
import PreferenceStore
import Testing
@testable import RewardAPI

/// Label Studio authenticates an ML backend with basic auth: the password is an API key (docs/INTEGRATIONS.md).
struct LabelStudioAuthTests {
    struct Harness {
        let api: APITestHarness
        let store: InMemoryPreferenceStore

        init(projects: [String: IntegrationSettings.Target]) throws {
            let store = InMemoryPreferenceStore()
            self.store = store
            api = try APITestHarness(store: store) { c, _ in
                c.authenticator = KeyAuthenticator(source: MemoryKeySource(store: store), mode: .whenKeysExist, timing: AuthHarness.immediate)
                c.integrations.labelStudioProjects = projects
            }
        }

        func key(tenant: String, _ scopes: [Scope]) async throws -> String {
            let token = APIKeyToken.generate()
            _ = try await store.createAPIKey(NewAPIKey(id: token.id, tenant: tenant, scopes: scopes.map(\.name), keyHash: token.hash), ifAbsent: false)
            return token.string
        }

        func post(_ path: String, _ json: String, basic key: String?) async throws -> APITestHarness.Reply {
            var headers: HTTPHeaders = [:]
            if let key { headers.add("Authorization", "Basic " + Data("label-studio:\(key)".utf8).base64EncodedString()) }
            return try await api.call(.post, "/integrations/label-studio" + path, json: json, headers: headers)
        }
    }

    static let predict = #"{"project":"7.1","label_config":"<View><Pairwise name=\"pw\" toName=\"a,b\"/><Text name=\"a\" value=\"$x\"/><Text name=\"b\" value=\"$y\"/></View>","tasks":[{"id":1,"data":{"x":"one","y":"two"}}]}"#

    @Test func theKeyIsTheBasicAuthPasswordAndMustMatchTheProjectsTenant() async throws {
        let h = try Harness(projects: ["7": .init(tenant: "acme")])
        let acme = try await h.key(tenant: "acme", [.score, .write])
        let rival = try await h.key(tenant: "rival", [.score, .write])
        let scoreOnly = try await h.key(tenant: "acme", [.score])
        #expect(try await h.api.call(.get, "/integrations/label-studio/health").status == 200, "health stays open")
        #expect(try await h.post("/setup", #"{"project":"7.1"}"#, basic: nil).status == 200, "setup stays open")
        #expect(try await h.post("/predict", Self.predict, basic: nil).status == 401)
        #expect(try await h.post("/predict", Self.predict, basic: "rk_bogus_key").status == 401)
        let wrongTenant = try await h.post("/predict", Self.predict, basic: rival)
        #expect(wrongTenant.status == 403 && wrongTenant.text.contains("acme"), "\(wrongTenant.text)")
        // The right key gets past auth to the model (this harness has no text encoder: a 422 that says so).
        let admitted = try await h.post("/predict", Self.predict, basic: acme)
        #expect(admitted.status == 422 && admitted.text.contains("encoder"), "\(admitted.text)")
        #expect(try await h.post("/webhook", #"{"action":"PROJECT_UPDATED","project":{"id":7}}"#, basic: scoreOnly).status == 403,
                "webhooks write histories: the write scope")
        #expect(try await h.post("/webhook", #"{"action":"PROJECT_UPDATED","project":{"id":7}}"#, basic: acme).status == 200)
    }

    @Test func withoutAMappingProjectsBelongToTheKeysTenant() async throws {
        let h = try Harness(projects: [:])
        let rival = try await h.key(tenant: "rival", [.score])
        let admitted = try await h.post("/predict", Self.predict, basic: rival)
        #expect(admitted.status == 422 && admitted.text.contains("encoder"), "\(admitted.text)")
    }
}
