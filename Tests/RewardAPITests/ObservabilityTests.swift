import HTTPServer
import InMemoryLogging
import Logging
import PreferenceStore
import Prometheus
import RewardModel
import Testing
@testable import RewardAPI
@testable import RewardService

/// Metrics through swift-metrics into a Prometheus registry, `Server-Timing`, request ids in error
/// logs, and the in-flight limit — all in process, with a registry of the test's own (no bootstrap).
struct ObservabilityTests {
    static func harness(maxInFlight: Int = 1024, logger: Logger? = nil) throws -> (APITestHarness, PrometheusCollectorRegistry) {
        let registry = PrometheusCollectorRegistry()
        let factory = PrometheusMetricsFactory(registry: registry)
        let h = try APITestHarness(kinds: [.palB]) { api, service in
            api.metricsFactory = factory
            api.metricsRenderer = {
                var buffer: [UInt8] = []
                registry.emit(into: &buffer)
                return buffer
            }
            api.maxInFlight = maxInFlight
            service.metricsFactory = factory
        }
        return (h, registry)
    }

    static func scoreBody(user: String? = nil) -> String {
        let u = user.map { #""user":"\#($0)","# } ?? ""
        return #"{\#(u)"items":[{"features":\#(APITestHarness.vector(1))},{"features":\#(APITestHarness.vector(2))}]}"#
    }

    @Test func metricsCountRequestsByTemplateStatusAndErrorType() async throws {
        let (h, _) = try Self.harness()
        #expect(try await h.call(.post, "/v1/score", json: Self.scoreBody(user: "alice")).status == 200)
        #expect(try await h.call(.post, "/v1/score", json: Self.scoreBody(user: "alice")).status == 200)
        #expect(try await h.call(.post, "/v1/score", json: "{").status == 400)
        #expect(try await h.call(.get, "/v1/users/bob%2Fx").status == 404)
        let text = try await h.call(.get, "/metrics").text
        #expect(text.contains(#"reward_http_requests_total{route="/v1/score",method="POST",status="200"} 2"#))
        #expect(text.contains(#"reward_http_requests_total{route="/v1/score",method="POST",status="400"} 1"#))
        // Ids never become labels: the template does.
        #expect(text.contains(#"route="/v1/users/{user}",method="GET",status="404""#))
        #expect(!text.contains("bob"))
        #expect(text.contains(#"reward_http_request_duration_seconds_count{route="/v1/score",method="POST",status="200"} 2"#))
        #expect(text.contains(#"reward_http_errors_total{type="/problems/malformed-request",status="400"} 1"#))
        #expect(text.contains("reward_items_scored_total 4"))
        // alice's first score misses the user-state cache, her second hits it; bob's lookup misses.
        #expect(text.contains(#"reward_user_state_cache_requests_total{result="miss"} 2"#))
        #expect(text.contains(#"reward_user_state_cache_requests_total{result="hit"} 1"#))
        #expect(text.contains("reward_model_queued_items 0.0"))
    }

    /// A deterministic stand-in for the text backbone (the harness heads read "test" features).
    struct LetterCountEmbedder: TextEmbedder {
        var modelName: String { "test" }
        var dimension: Int { APITestHarness.d }
        func embeddings(for texts: [String]) throws -> [[Float]] {
            texts.map { t in (0..<APITestHarness.d).map { Float(t.utf8.count % ($0 + 2)) + 0.5 } }
        }
    }

    @Test func embeddingCacheHitsAndMissesAreCountedPerText() async throws {
        let registry = PrometheusCollectorRegistry()
        let factory = PrometheusMetricsFactory(registry: registry)
        var configuration = RewardService.Configuration()
        configuration.metricsFactory = factory
        let service = RewardService(store: InMemoryPreferenceStore(), encoder: LetterCountEmbedder(), configuration: configuration)
        try service.installHeads([("palB", try RewardHead.random(config: HeadReloadTests.config(version: "1"), seed: 1))])
        var api = APIConfiguration()
        api.metricsFactory = factory
        api.metricsRenderer = { var b: [UInt8] = []; registry.emit(into: &b); return b }
        let app = RewardApplication(service: service, configuration: api)
        for texts in [#"[{"text":"a"},{"text":"b"}]"#, #"[{"text":"a"},{"text":"c"}]"#] {
            let request = Request(method: .post, target: "/v1/score", headers: ["Content-Type": "application/json"],
                                  body: RequestBody(bytes: Array(#"{"items":\#(texts)}"#.utf8)))
            #expect(await app.respond(to: request).status == 200)
        }
        guard case .bytes(let body) = await app.respond(to: Request(method: .get, target: "/metrics")).body else { return }
        let text = String(decoding: body, as: UTF8.self)
        #expect(text.contains(#"reward_embedding_cache_requests_total{result="miss"} 3"#))
        #expect(text.contains(#"reward_embedding_cache_requests_total{result="hit"} 1"#))
    }

    @Test func adaptLatencyIsRecorded() async throws {
        let (h, _) = try Self.harness()
        let v1 = APITestHarness.vector(1), v2 = APITestHarness.vector(2)
        let body = #"{"comparisons":[{"chosen":{"features":\#(v1)},"rejected":{"features":\#(v2)}}]}"#
        #expect(try await h.call(.post, "/v1/adapt", json: body).status == 200)
        let text = try await h.call(.get, "/metrics").text
        #expect(text.contains(#"reward_adapt_duration_seconds_count{mode="stateless"} 1"#))
    }

    @Test func serverTimingNamesThePhasesAndTheTotal() async throws {
        let (h, _) = try Self.harness()
        let reply = try await h.call(.post, "/v1/score", json: Self.scoreBody(user: "carol"))
        let timing = try #require(reply.headers["server-timing"])
        for phase in ["decode;dur=", "compute;dur=", "store;dur=", "total;dur="] { #expect(timing.contains(phase), "\(timing)") }
        let health = try await h.call(.get, "/healthz")
        #expect(health.headers["server-timing"]?.hasPrefix("total;dur=") == true)
    }

    @Test func inFlightLimitRefusesWith429AndExemptsOperationalRoutes() async throws {
        let (h, _) = try Self.harness(maxInFlight: 1)
        // An NDJSON response streams after `respond` returns: it holds its permit until dropped.
        let ndjson = Request(method: .post, target: "/v1/score", headers: ["Content-Type": "application/x-ndjson"],
                             body: RequestBody(bytes: Array((Self.scoreBody() + "\n").utf8)))
        var held: Response? = await h.app.respond(to: ndjson)
        #expect(held?.status == 200)
        let refused = try await h.call(.post, "/v1/score", json: Self.scoreBody())
        #expect(refused.status == 429)
        #expect(refused.headers["retry-after"] == "1")
        #expect(refused.headers["content-type"] == "application/problem+json")
        #expect(refused.text.contains("/problems/overloaded"))
        #expect(try await h.call(.get, "/healthz").status == 200)
        #expect(try await h.call(.get, "/readyz").status == 200)
        #expect(try await h.call(.get, "/info").text.contains(#""max_in_flight":1"#))
        let metrics = try await h.call(.get, "/metrics").text
        #expect(metrics.contains("reward_http_in_flight_requests 1.0"))
        #expect(metrics.contains("reward_http_in_flight_rejections_total 1"))
        held = nil
        #expect(held == nil)
        #expect(try await h.call(.post, "/v1/score", json: Self.scoreBody()).status == 200)
    }

    @Test func unexpectedErrorsAreLoggedWithTheRequestID() async throws {
        let logs = InMemoryLogHandler()
        let (h, _) = try Self.harness()
        let app = RewardApplication(service: h.service, configuration: h.app.configuration, logger: Logger(label: "t", factory: { _ in logs }))
        let failing = Request(method: .post, target: "/v1/score", headers: ["Content-Type": "application/json", "X-Request-Id": "req-42"],
                              body: RequestBody(stream: AsyncThrowingStream { $0.finish(throwing: TestFailure()) }))
        let response = await app.respond(to: failing)
        #expect(response.status == 500)
        let entry = try #require(logs.entries.first { $0.level == .error })
        #expect(entry.metadata["request.id"] == "req-42")
    }

    struct TestFailure: Error {}
}

extension ObservabilityTests {
    @Test func serverTimingFormatsMillisecondsWithThreeDecimals() {
        let timing = RequestTiming()
        timing.add(.decode, nanoseconds: 41_999)
        timing.add(.store, nanoseconds: 12_345_678_901)
        #expect(RewardApplication.serverTiming(timing, total: .nanoseconds(12_400_005_000))
                == "decode;dur=0.041, store;dur=12345.678, total;dur=12400.005")
        #expect(RewardApplication.serverTiming(RequestTiming(), total: .microseconds(7)) == "total;dur=0.007")
    }
}
