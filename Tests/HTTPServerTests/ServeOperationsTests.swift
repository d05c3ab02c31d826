#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import TestSupport

/// The operational surface of a real `reward serve` process: Prometheus metrics after traffic, JSON
/// logs with request ids, and the SIGTERM drain sequence.
struct ServeOperationsTests {
    static func features(_ seed: Int) -> String {
        "[" + (0..<32).map { i in String(format: "%.3f", sin(Double(seed * 31 + i))) }.joined(separator: ",") + "]"
    }

    static func post(_ port: Int, _ path: String, _ body: String, headers: [String] = []) throws -> String {
        var arguments = ["-s", "-i", "-X", "POST", "http://127.0.0.1:\(port)\(path)", "-H", "Content-Type: application/json", "--data-binary", body]
        for h in headers { arguments += ["-H", h] }
        return try curl(arguments)
    }

    @Test func metricsAfterTrafficAndJSONLogsWithTheRequestID() async throws {
        try await offPool {
            let logFile = FileManager.default.temporaryDirectory.appendingPathComponent("reward-log-\(UUID().uuidString).ndjson")
            defer { try? FileManager.default.removeItem(at: logFile) }
            let user = "metrics-\(UUID().uuidString.prefix(8))"
            let port: Int
            do {
                let server = try ServeProcess(serving: ["--head", "synthetic=Deploy/heads/synthetic", "--log-format", "json", "--access-log",
                                               "--log-level", "info"], stderr: logFile)
                port = server.port
                let score = try Self.post(port, "/v1/score", #"{"user":"\#(user)","items":[{"features":\#(Self.features(1))}]}"#,
                                          headers: ["X-Request-Id: live-req-1"])
                #expect(score.hasPrefix("HTTP/1.1 200"))
                #expect(score.lowercased().contains("x-request-id: live-req-1"))
                #expect(score.lowercased().contains("server-timing: "))
                let labels = #"{"comparisons":[{"id":"c1","chosen":{"features":\#(Self.features(2))},"rejected":{"features":\#(Self.features(3))}}],"adapt":true}"#
                #expect(try Self.post(port, "/v1/users/\(user)/comparisons", labels).hasPrefix("HTTP/1.1 20"))
                #expect(try Self.post(port, "/v1/score", "{").hasPrefix("HTTP/1.1 400"))
                // The adapt's NOTIFY comes back to this replica's listener: wait for it to be counted.
                var text = ""
                for _ in 0..<100 {
                    text = try curl(["-s", "http://127.0.0.1:\(port)/metrics"])
                    if !text.contains("reward_store_notify_lag_seconds_count 0") && text.contains("reward_store_notify_lag_seconds_count") { break }
                    usleep(20_000)
                }
                for expected in [
                    #"reward_http_requests_total{route="/v1/score",method="POST",status="200"} 1"#,
                    #"reward_http_requests_total{route="/v1/score",method="POST",status="400"} 1"#,
                    #"reward_http_request_duration_seconds_count{route="/v1/users/{user}/comparisons",method="POST""#,
                    #"reward_http_errors_total{type="/problems/malformed-request",status="400"} 1"#,
                    "reward_items_scored_total 1",
                    #"reward_adapt_duration_seconds_count{mode="stored"} 1"#,
                    #"reward_user_state_cache_requests_total{result="miss"}"#,
                    "reward_store_pool_connections 4",
                    "reward_store_pool_connections_in_use",
                    "reward_store_pool_wait_seconds_count",
                    "reward_model_queued_items",
                    "reward_http_connections ",
                    "process_resident_memory_bytes ",
                    "process_open_fds ",
                    "process_cpu_seconds_total ",
                    #"reward_build_info{version=""#,
                ] {
                    #expect(text.contains(expected), "missing \(expected)")
                }
                #expect(!text.contains("reward_store_notify_lag_seconds_count 0"))
                #expect(!text.contains(user))  // user ids never become labels
                server.signal(SIGTERM)
                #expect(server.waitForExit() == 0)
            }
            // Every stderr line is one JSON object; the access line carries the client's request id.
            let lines = try String(contentsOf: logFile, encoding: .utf8).split(separator: "\n")
            #expect(lines.count > 3)
            var sawAccessLine = false
            for line in lines {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not JSON: \(line)")
                #expect(object["ts"] is String && object["level"] is String && object["label"] is String && object["msg"] is String)
                if object["msg"] as? String == "request", let metadata = object["metadata"] as? [String: Any],
                   metadata["request.id"] as? String == "live-req-1" {
                    sawAccessLine = metadata["http.status"] as? String == "200"
                }
            }
            #expect(sawAccessLine)
        }
    }

    @Test func sigtermTurnsReadyzTo503ServesDuringTheDelayThenDrainsAndExitsZero() async throws {
        try await offPool {
            let server = try ServeProcess(serving: ["--debug-routes", "--drain-delay", "1.5"])
            let port = server.port
            #expect(try curl(["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/readyz"]) == "200")
            let slow = try RawClient(port: port)
            try slow.send("GET /_debug/sleep?ms=2500&stream HTTP/1.1\r\nHost: t\r\n\r\n")
            try slow.waitForBytes()  // in flight
            let signalled = Date()
            server.signal(SIGTERM)
            // Not ready at once…
            var readyz = ""
            for _ in 0..<50 {
                readyz = try curl(["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/readyz"])
                if readyz == "503" { break }
                usleep(10_000)
            }
            #expect(readyz == "503")
            // …while new connections are still served during the delay.
            let during = try curl(["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/v1/heads"])
            #expect(during == "200")
            #expect(Date().timeIntervalSince(signalled) < 1.5)
            // After the delay the listener is closed: new connections are refused (the slow request is still running).
            var refusedAfter: Double?
            while refusedAfter == nil && Date().timeIntervalSince(signalled) < 2.2 {
                if (try? RawClient(port: port)) == nil { refusedAfter = Date().timeIntervalSince(signalled) } else { usleep(20_000) }
            }
            let refused = try #require(refusedAfter, "the listener was still open 2.2 s after SIGTERM")
            #expect(refused >= 1.45)
            // The in-flight request still finishes after the listener has closed, then the process exits 0.
            let response = try slow.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "started\nslept 2500 ms\n")
            #expect(server.waitForExit() == 0)
            #expect(Date().timeIntervalSince(signalled) >= 1.5)
        }
    }
}
