import Testing
@testable import RewardAPI

struct ScoringRoutesTests {
    let h: APITestHarness
    init() throws { h = try APITestHarness(kinds: [.palB, .gpm, .bt]) }

    @Test func scoreReturnsOneScorePerItem() async throws {
        let r = try await h.call(.post, "/v1/score", json: #"{"items":[{"features":\#(APITestHarness.vector(1))},{"features_b64":"AACAPwAAAEAAAEBAAACAQA=="}]}"#)
        #expect(r.status == 200, "\(r.text)")
        #expect(r.object?["scores"]?.doubles?.count == 2)
        guard case .object(let user)? = r.object?["user"] else { Issue.record("no user"); return }
        #expect(user["cold_start"] == nil ? false : true)
    }

    /// The common shape is read straight from the bytes; an escaped id sends the same request through
    /// the generic parser. Both must answer byte for byte the same.
    @Test func fastAndGenericScoreBodiesAnswerTheSame() async throws {
        let items = #"[{"features":\#(APITestHarness.vector(3))},{"features_b64":"AACAPwAAAEAAAEBAAACAQA=="}]"#
        let fastBody = "{\"user\":\"u1\",\n \"items\": \(items)}", genericBody = #"{"user":"u\u0031","items":\#(items)}"#
        var decoder = ScoreLineDecoder(tenant: "t")
        #expect(Array(fastBody.utf8).withUnsafeBufferPointer { decoder.decode($0) } != nil)
        #expect(Array(genericBody.utf8).withUnsafeBufferPointer { decoder.decode($0) } == nil)
        let fast = try await h.call(.post, "/v1/score", json: fastBody)
        let generic = try await h.call(.post, "/v1/score", json: genericBody)
        #expect(fast.status == 200, "\(fast.text)")
        #expect(fast.text == generic.text)
    }

    @Test func compareSingleAndPairs() async throws {
        let a = APITestHarness.vector(1), b = APITestHarness.vector(2)
        let single = try await h.call(.post, "/v1/compare", json: #"{"a":{"features":\#(a)},"b":{"features":\#(b)}}"#)
        #expect(single.status == 200)
        let p = try #require(single.object?["p_a"]?.double)
        let reversed = try await h.call(.post, "/v1/compare", json: #"{"a":{"features":\#(b)},"b":{"features":\#(a)}}"#)
        #expect(abs(p + (reversed.object?["p_a"]?.double ?? 0) - 1) < 1e-9)
        let pairs = try await h.call(.post, "/v1/compare", json: #"{"pairs":[{"a":{"features":\#(a)},"b":{"features":\#(b)}},{"a":{"features":\#(b)},"b":{"features":\#(a)}}]}"#)
        guard case .array(let results)? = pairs.object?["results"] else { Issue.record("no results: \(pairs.text)"); return }
        #expect(results.count == 2)
    }

    @Test func rankReturnsAPermutationAndProbability() async throws {
        let items = (0..<4).map { #"{"features":\#(APITestHarness.vector($0))}"# }.joined(separator: ",")
        let r = try await h.call(.post, "/v1/rank", json: #"{"items":[\#(items)]}"#)
        #expect(r.status == 200)
        let order = try #require(r.object?["order"]?.doubles)
        #expect(Set(order) == [0, 1, 2, 3])
        #expect((r.object?["probability"]?.double ?? 0) > 0)
        let gpm = try await h.call(.post, "/v1/rank", json: #"{"head":"gpm","items":[\#(items)]}"#)
        #expect(gpm.status == 200)
        guard case .null? = gpm.object?["probability"] else { Issue.record("gpm has no order probability"); return }
    }

    @Test(arguments: [
        (#"{"items":[{"features":[1,2]}]}"#, 422, "/items/0/features"),
        (#"{"items":[]}"#, 422, "/items"),
        (#"{"itmes":[]}"#, 422, "/itmes"),
        (#"{"items":[{"features":[1,2,3,"x"]}]}"#, 422, "/items/0/features/3"),
        (#"{"items":[{"features":[1,2,3,1e39]}]}"#, 422, "/items/0/features/3"),
        (#"{"items":[{"features_b64":"AAA"}]}"#, 422, "/items/0/features_b64"),
        (#"{"items":[{"text":"hi"}]}"#, 422, "/items/0/text"),
        (#"{"head":"nope","items":[{"features":[1,2,3,4]}]}"#, 404, "/head"),
        (#"{"user":"","items":[{"features":[1,2,3,4]}]}"#, 422, "/user"),
        (#"{"user_state":{"theta":[1]},"items":[{"features":[1,2,3,4]}]}"#, 422, "/user_state/theta"),
        (#"{"user_state":{"theta":[1,-2000000,3]},"items":[{"features":[1,2,3,4]}]}"#, 422, "/user_state/theta/1"),
        (#"{"prompt":{"features":[1,2,3,4]},"items":[{"features":[1,2,3,4]}]}"#, 422, "/prompt"),
        (#"{"head":"gpm","items":[{"features":[1,2,3,4]}]}"#, 422, "/items"),
    ])
    func validationErrorsPointAtTheField(body: String, status: Int, pointer: String) async throws {
        let r = try await h.call(.post, "/v1/score", json: body)
        #expect(r.status == status, "\(r.text)")
        #expect(r.pointer == pointer, "\(r.text)")
        #expect(r.headers["content-type"] == "application/problem+json")
    }

    @Test func malformedAndWrongMediaType() async throws {
        #expect(try await h.call(.post, "/v1/score", json: #"{"items":[}"#).status == 400)
        #expect(try await h.call(.post, "/v1/score", json: #"{"items":[]}"#, contentType: "text/plain").status == 415)
        #expect(try await h.call(.post, "/v1/score", json: #"{"items":[]}"#, contentType: nil).status == 415)
        #expect(try await h.call(.post, "/v1/score").status == 400)
    }

    @Test func unknownRouteAndWrongMethod() async throws {
        #expect(try await h.call(.get, "/v1/nothing").status == 404)
        let r = try await h.call(.get, "/v1/score")
        #expect(r.status == 405)
        #expect(r.headers["allow"] == "POST")
    }

    @Test func btHeadCannotAdapt() async throws {
        let c = #"{"chosen":{"features":\#(APITestHarness.vector(1))},"rejected":{"features":\#(APITestHarness.vector(2))}}"#
        let r = try await h.call(.post, "/v1/adapt", json: #"{"head":"bt","comparisons":[\#(c)]}"#)
        #expect(r.status == 422, "\(r.text)")
    }

    @Test func statelessAdaptThenInlineState() async throws {
        let comparisons = (0..<6).map { #"{"chosen":{"features":\#(APITestHarness.vector($0))},"rejected":{"features":\#(APITestHarness.vector($0 + 10))}}"# }
        let r = try await h.call(.post, "/v1/adapt", json: #"{"comparisons":[\#(comparisons.joined(separator: ","))],"prior":2}"#)
        #expect(r.status == 200, "\(r.text)")
        guard case .object(let state)? = r.object?["state"], let theta = state["theta"]?.doubles else { Issue.record("no state"); return }
        #expect(theta.count == APITestHarness.k)
        #expect(r.object?["converged"].map { if case .bool(true) = $0 { true } else { false } } == true)
        let inline = "[" + theta.map { String($0) }.joined(separator: ",") + "]"
        let s = try await h.call(.post, "/v1/score", json: #"{"user_state":{"theta":\#(inline)},"items":[{"features":[1,2,3,4]}]}"#)
        #expect(s.status == 200, "\(s.text)")
    }

    /// The prior's documented bound (openapi.yaml: ≤ 1e6) answers with its pointer; the model's own
    /// limit (1e9) used to answer without one.
    @Test func adaptPriorIsBoundedWhereTheContractSays() async throws {
        let one = #"{"chosen":{"features":\#(APITestHarness.vector(1))},"rejected":{"features":\#(APITestHarness.vector(2))}}"#
        #expect(try await h.call(.post, "/v1/adapt", json: #"{"comparisons":[\#(one)],"prior":1000000}"#).status == 200)
        for prior in ["1000001", "2e9"] {
            let r = try await h.call(.post, "/v1/adapt", json: #"{"comparisons":[\#(one)],"prior":\#(prior)}"#)
            #expect(r.status == 422)
            #expect(r.pointer == "/prior", "\(r.text)")
        }
    }

    @Test func ndjsonStreamsOneResultPerLineInOrderWithLineErrors() async throws {
        var lines: [String] = []
        for i in 0..<50 { lines.append(#"{"items":[{"features":\#(APITestHarness.vector(i))}]}"#) }
        lines.insert(#"{"items":[{"features":[1]}]}"#, at: 10)
        lines.insert("not json", at: 20)
        let r = try await h.call(.post, "/v1/score", json: lines.joined(separator: "\n") + "\n", contentType: "application/x-ndjson")
        #expect(r.status == 200)
        let out = r.text.split(separator: "\n")
        #expect(out.count == 52)
        #expect(out[10].contains(#""line":11"#) && out[10].contains("/items/0/features"))
        #expect(out[20].contains(#""line":21"#) && out[20].contains(#""status":400"#))
        #expect(out[0].contains(#""scores""#) && out[51].contains(#""scores""#))
    }

    @Test func corsPreflightAndHeaders() async throws {
        let cors = try APITestHarness(cors: ["https://label.example"])
        let pre = try await cors.call(.options, "/v1/score", headers: ["Origin": "https://label.example", "Access-Control-Request-Method": "POST"])
        #expect(pre.status == 204)
        #expect(pre.headers["access-control-allow-origin"] == "https://label.example")
        #expect(pre.headers["access-control-allow-methods"]?.contains("POST") == true)
        let other = try await cors.call(.get, "/healthz", headers: ["Origin": "https://evil.example"])
        #expect(other.headers["access-control-allow-origin"] == nil)
    }

    @Test func operationsRoutes() async throws {
        #expect(try await h.call(.get, "/healthz").status == 200)
        #expect(try await h.call(.get, "/readyz").status == 200)
        let heads = try await h.call(.get, "/v1/heads")
        guard case .array(let list)? = heads.object?["heads"] else { Issue.record("no heads"); return }
        #expect(list.count == 3)
        let gpm = try await h.call(.get, "/v1/heads/gpm")
        #expect(gpm.status == 200)
        if case .number(let prior)? = gpm.object?["adapt_prior"] { #expect(prior == 1) } else { Issue.record("adapt_prior missing") }
        if case .null? = try await h.call(.get, "/v1/heads/bt").object?["adapt_prior"] {} else { Issue.record("bt: adapt_prior should be null") }
        #expect(try await h.call(.get, "/v1/heads/zzz").status == 404)
        let spec = try await h.call(.get, "/openapi.yaml")
        #expect(spec.text.hasPrefix("openapi: 3.1"))
        _ = try await h.call(.post, "/v1/score", json: #"{"items":[{"features":[1,2,3,4]}]}"#)
        let metrics = try await h.call(.get, "/metrics")  // contents: ObservabilityTests
        #expect(metrics.status == 200)
    }
}
