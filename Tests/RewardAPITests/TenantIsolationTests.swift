import HTTPServer
import Testing
@testable import RewardAPI

/// A key's tenant scopes every user id: another tenant's user is a 404 (reads) or a separate, empty user
/// (writes), and nothing a tenant stored ever appears in another tenant's responses.
struct TenantIsolationTests {
    static let marker = "acme-secret"

    static func comparison(_ i: Int) -> String {
        #"{"id":"c\#(i)","source":"\#(marker)","chosen":{"features":\#(APITestHarness.vector(i))},"rejected":{"features":\#(APITestHarness.vector(i + 50))}}"#
    }

    @Test func anotherTenantsUserIsNotFoundAndNeverLeaks() async throws {
        let h = try AuthHarness()
        let acme = try await h.key(tenant: "acme", Scope.all)
        let rival = try await h.key(tenant: "rival", Scope.all)
        let all = (0..<8).map(Self.comparison).joined(separator: ",")
        let stored = try await h.call(.post, "/v1/users/alice/comparisons", key: acme, json: #"{"comparisons":[\#(all)],"adapt":true}"#)
        #expect(stored.status == 201, "\(stored.text)")
        let before = try await h.call(.get, "/v1/users/alice", key: acme)
        #expect(before.status == 200 && before.object?["n_comparisons"]?.double == 8)

        // Reads and edits of acme's alice from rival: 404, with no data.
        for (method, path, body) in [(HTTPMethod.get, "/v1/users/alice", nil), (.get, "/v1/users/alice/comparisons", nil),
                                     (.put, "/v1/users/alice/comparisons/c0", RouteSample.all.first { $0.method == .put }!.body),
                                     (.delete, "/v1/users/alice/comparisons/c0", nil)] as [(HTTPMethod, String, String?)] {
            let r = try await h.call(method, path, key: rival, json: body)
            #expect(r.status == 404, "\(method) \(path): \(r.status) \(r.text)")
            #expect(!r.text.contains(Self.marker))
        }
        let adapt = try await h.call(.post, "/v1/users/alice/adapt", key: rival)
        #expect(!(200..<300).contains(adapt.status), "\(adapt.text)")
        // Scoring as rival's alice uses rival's (cold) state, not acme's fitted one.
        let score = try await h.call(.post, "/v1/score", key: rival, json: RouteSample.all.first { $0.template == "/v1/score" }!.body)
        #expect(score.status == 200)
        guard case .object(let user)? = score.object?["user"] else { Issue.record("no user in \(score.text)"); return }
        if case .bool(let cold)? = user["cold_start"] { #expect(cold) } else { Issue.record("no cold_start") }
        let acmeScore = try await h.call(.post, "/v1/score", key: acme, json: RouteSample.all.first { $0.template == "/v1/score" }!.body)
        guard case .object(let acmeUser)? = acmeScore.object?["user"] else { Issue.record("no user in \(acmeScore.text)"); return }
        if case .bool(let cold)? = acmeUser["cold_start"] { #expect(!cold) } else { Issue.record("no cold_start") }

        // Every route, as rival, on the same ids: nothing of acme's comes back, nothing of acme's changes.
        for route in RouteSample.all where route.access != .open {
            let r = try await h.call(route.method, route.path, key: rival, json: route.body)
            #expect(r.status < 500, "\(route.testDescription): \(r.status) \(r.text)")
            #expect(!r.text.contains(Self.marker), "\(route.testDescription) leaked acme's data: \(r.text)")
        }
        let after = try await h.call(.get, "/v1/users/alice", key: acme)
        #expect(after.status == 200)
        #expect(after.text == before.text, "acme's alice is untouched by rival's writes and deletes")
        let history = try await h.call(.get, "/v1/users/alice/comparisons", key: acme)
        #expect(history.text.components(separatedBy: Self.marker).count - 1 == 8)
    }

    @Test func withoutKeysEveryoneIsTheDefaultTenant() async throws {
        let h = try AuthHarness()
        let stored = try await h.call(.post, "/v1/users/bob/comparisons", key: nil, json: #"{"comparisons":[\#(Self.comparison(1))]}"#)
        #expect(stored.status == 201)
        let key = try await h.key(tenant: "default", [.write])
        #expect(try await h.call(.get, "/v1/users/bob", key: key).status == 200, "a default-tenant key sees the data stored before keys existed")
        let other = try await h.key(tenant: "acme", [.write])
        #expect(try await h.call(.get, "/v1/users/bob", key: other).status == 404)
    }
}

/// Label Studio calls carry a key as the basic-auth password: it must belong to the project's tenant.
struct IntegrationTenantTests {
    @Test func aToolKeyMustBelongToTheProjectsTenant() async throws {
        let h = try AuthHarness()
        func call(_ principal: Principal?) -> RewardApplication.Call {
            RewardApplication.Call(request: Request(method: .post, target: "/integrations/label-studio/predict"),
                                   parameters: RouteParameters(), template: "/integrations/label-studio/predict",
                                   tenant: principal?.tenant ?? "default", principal: principal)
        }
        let acme = IntegrationSettings.Target(tenant: "acme")
        #expect(try await h.api.app.integrationTenant(call(nil), target: acme) == "acme", "keys off: the mapping decides")
        #expect(try await h.api.app.integrationTenant(call(Principal(keyID: "k1", tenant: "acme", scopes: [.score])), target: acme) == "acme")
        await #expect(throws: Problem.self) {
            try await h.api.app.integrationTenant(call(Principal(keyID: "k2", tenant: "rival", scopes: [.score])), target: acme)
        }
    }
}
