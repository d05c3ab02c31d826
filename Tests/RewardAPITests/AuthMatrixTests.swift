import HTTPServer
import Testing
@testable import RewardAPI

/// Keys on every route of the real router table: a route added later is covered without editing this file.
struct AuthMatrixTests {
    static let routes = RouteSample.all
    static let protected = routes.filter { $0.access != .open }

    /// Open on purpose: probes and the contract; Label Studio's health/setup (no tenant data, probed before a
    /// key is configured); Argilla's webhook (verified by its signature). Anything else open fails here.
    static let intentionallyOpen: Set<String> = [
        "GET /healthz", "GET /readyz", "GET /info", "GET /metrics", "GET /openapi.yaml",
        "GET /integrations/label-studio", "GET /integrations/label-studio/health", "POST /integrations/label-studio/setup",
        "POST /integrations/argilla/webhook",
    ]

    @Test func everyV1RouteNeedsAScopeAndOnlyOperationsRoutesAreOpen() {
        for route in Self.routes {
            if route.template.hasPrefix("/v1/") {
                #expect(route.access != .open, "\(route.testDescription) must declare a scope")
            } else if route.access == .open {
                #expect(Self.intentionallyOpen.contains(route.testDescription), "\(route.testDescription) is open")
            }
        }
        #expect(Self.protected.count >= 15)
    }

    @Test func theAccessLogNamesTheKeyAndTenantButNeverTheSecret() async throws {
        let h = try AuthHarness()
        let key = try await h.key(tenant: "acme", [.score])
        let reply = try await h.call(.get, "/v1/heads", key: key)
        #expect(reply.status == 200)
        let fields = Dictionary(uniqueKeysWithValues: reply.logFields)
        #expect(fields["auth.tenant"] == "acme")
        #expect(fields["auth.key_id"] == APIKeyToken(key)?.id)
        #expect(!reply.logFields.contains { $0.1 == key })
        // No key, no fields.
        let open = try await h.call(.get, "/healthz", key: nil)
        #expect(open.logFields.isEmpty)
    }

    @Test(arguments: protected)
    func missingWrongRevokedAndMalformedKeysGet401(route: RouteSample) async throws {
        let h = try AuthHarness()
        guard case .requires(let scope) = route.access else { return }
        let good = try await h.key([scope])
        let revoked = try await h.key([scope])
        _ = try await h.store.revokeAPIKey(id: APIKeyToken(revoked)!.id)
        let wrongSecret = String(good.dropLast(4)) + (good.hasSuffix("0000") ? "1111" : "0000")
        let unknown = APIKeyToken.generate().string
        let cases: [(String, String?)] = [("none", nil), ("unknown", "Bearer \(unknown)"), ("wrong secret", "Bearer \(wrongSecret)"),
                                          ("revoked", "Bearer \(revoked)"), ("malformed", "Bearer not-a-key"),
                                          ("other scheme", "Token \(good)"), ("empty", "")]
        for (name, authorization) in cases {
            var headers: HTTPHeaders = [:]
            if let authorization { headers.add("Authorization", authorization) }
            let r = try await h.call(route.method, route.path, key: nil, json: route.body, headers: headers)
            #expect(r.status == 401, "\(route.testDescription) with \(name) key: \(r.status) \(r.text)")
            #expect(r.headers["www-authenticate"]?.hasPrefix("Bearer realm=\"reward\"") == true)
            #expect(r.headers["content-type"] == "application/problem+json")
            #expect(r.object?["status"]?.double == 401)
        }
    }

    @Test(arguments: protected)
    func aKeyWithoutTheRouteScopeGets403AndWithItPasses(route: RouteSample) async throws {
        let h = try AuthHarness()
        guard case .requires(let scope) = route.access else { return }
        let others = try await h.key(Scope.all.filter { $0 != scope })
        let denied = try await h.call(route.method, route.path, key: others, json: route.body)
        #expect(denied.status == 403, "\(route.testDescription): \(denied.status) \(denied.text)")
        #expect(denied.headers["content-type"] == "application/problem+json")
        let allowed = try await h.call(route.method, route.path, key: try await h.key([scope]), json: route.body)
        #expect(![401, 403].contains(allowed.status), "\(route.testDescription): \(allowed.status) \(allowed.text)")
        #expect(allowed.status < 500, "\(route.testDescription): \(allowed.status) \(allowed.text)")
    }

    @Test(arguments: routes.filter { $0.access == .open })
    func operationsRoutesStayOpen(route: RouteSample) async throws {
        let h = try AuthHarness(mode: .always)
        try await h.key([.admin])
        let r = try await h.call(route.method, route.path, key: nil, json: route.body)
        #expect(![401, 403].contains(r.status) && r.status < 500, "\(route.testDescription): \(r.status) \(r.text)")
        if route.method == .get { #expect(r.status == 200, "\(route.testDescription): \(r.status)") }
    }

    @Test func withoutKeysAuthIsOffUnlessTheModeIsAlways() async throws {
        let open = try AuthHarness(mode: .whenKeysExist)
        #expect(try await open.call(.get, "/v1/heads", key: nil).status == 200)
        let key = try await open.key([.score])
        #expect(try await open.call(.get, "/v1/heads", key: nil).status == 401, "the first key turns auth on")
        #expect(try await open.call(.get, "/v1/heads", key: key).status == 200)
        _ = try await open.store.revokeAPIKey(id: APIKeyToken(key)!.id)
        #expect(try await open.call(.get, "/v1/heads", key: nil).status == 200, "loopback mode: no active key, no auth")

        let locked = try AuthHarness(mode: .always)
        #expect(try await locked.call(.get, "/v1/heads", key: nil).status == 401, "a public bind stays locked with no key")
    }

    @Test func unmatchedV1PathsDoNotRevealRoutesToAnonymousCallers() async throws {
        let h = try AuthHarness()
        let key = try await h.key([.score])
        #expect(try await h.call(.get, "/v1/nothing", key: nil).status == 401)
        #expect(try await h.call(.delete, "/v1/score", key: nil).status == 401)
        #expect(try await h.call(.get, "/v1/nothing", key: key).status == 404)
        #expect(try await h.call(.delete, "/v1/score", key: key).status == 405)
        #expect(try await h.call(.get, "/nothing", key: nil).status == 404)
    }

    @Test func corsPreflightNeedsNoCredentials() async throws {
        let h = try AuthHarness(cors: ["https://labels.example"])
        try await h.key([.score])
        let preflight = try await h.call(.options, "/v1/score", key: nil, headers: [
            "Origin": "https://labels.example", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        ])
        #expect(preflight.status == 204)
        #expect(preflight.headers["access-control-allow-origin"] == "https://labels.example")
        #expect(preflight.headers["access-control-allow-headers"]?.lowercased().contains("authorization") == true)
        // The actual request still needs its key, and its 401 carries CORS headers so the browser can read it.
        let denied = try await h.call(.post, "/v1/score", key: nil, json: "{}", headers: ["Origin": "https://labels.example"])
        #expect(denied.status == 401)
        #expect(denied.headers["access-control-allow-origin"] == "https://labels.example")
    }

    @Test func basicAuthCarriesTheKeyAsPasswordOrUser() async throws {
        let h = try AuthHarness()
        let key = try await h.key([.score])
        let asPassword = "Basic " + base64(Array("annotator:\(key)".utf8))
        let asUser = "Basic " + base64(Array("\(key):".utf8))
        #expect(try await h.call(.get, "/v1/heads", key: nil, headers: ["Authorization": asPassword]).status == 200)
        #expect(try await h.call(.get, "/v1/heads", key: nil, headers: ["Authorization": asUser]).status == 200)
        #expect(try await h.call(.get, "/v1/heads", key: nil, headers: ["Authorization": "Basic " + base64(Array("x:y".utf8))]).status == 401)
        #expect(try await h.call(.get, "/v1/heads", key: nil, headers: ["Authorization": "Basic !!!"]).status == 401)
        #expect(await h.api.app.authenticate(bearer: key)?.scopes == [.score])
        #expect(await h.api.app.authenticate(bearer: key + "x") == nil)
    }

    @Test func perKeyRateLimitAnswers429WithRetryAfter() async throws {
        // 0.01 req/s: one request, then the next token is 100 s away (no timing in the test).
        let h = try AuthHarness(rateLimit: 0.01)
        let a = try await h.key([.score]), b = try await h.key([.score])
        #expect(try await h.call(.get, "/v1/heads", key: a).status == 200)
        let limited = try await h.call(.get, "/v1/heads", key: a)
        #expect(limited.status == 429)
        #expect(limited.headers["content-type"] == "application/problem+json")
        #expect((90...100).contains(Int(limited.headers["retry-after"] ?? "") ?? 0), "\(limited.headers)")
        #expect(try await h.call(.get, "/v1/heads", key: b).status == 200, "another key has its own bucket")
        #expect(try await h.call(.get, "/healthz", key: a).status == 200, "open routes are not limited")
    }

    @Test func anUnreadableKeyStoreIs503NotOpen() async throws {
        let h = try AuthHarness()
        let key = try await h.key([.score])
        await h.store.shutdown()
        let r = try await h.call(.get, "/v1/heads", key: key)
        #expect(r.status == 503)
        #expect(r.headers["retry-after"] != nil)
    }

    private func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        var out = ""
        for chunk in stride(from: 0, to: bytes.count, by: 3) {
            let b = Array(bytes[chunk..<min(chunk + 3, bytes.count)]) + [0, 0]
            let n = Int(b[0]) << 16 | Int(b[1]) << 8 | Int(b[2])
            let chars = (0..<4).map { alphabet[(n >> (18 - 6 * $0)) & 63] }
            let real = bytes.count - chunk >= 3 ? 4 : bytes.count - chunk + 1
            out += String(chars.prefix(real)) + String(repeating: "=", count: 4 - real)
        }
        return out
    }
}
