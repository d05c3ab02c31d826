import Foundation
import HTTPServer
import Logging
import Testing
import TestSupport
import Locking

extension IntegrationSuites {
    /// `reward argilla push-suggestions` (the real binary) against a recorder that plays an Argilla server,
    /// scoring with a live reward service: every record gets a suggestion in Argilla's shape, scores in [0, 1].
    struct PushSuggestionsTests {
        /// Plays the three Argilla endpoints the command uses and records every request.
        final class ArgillaRecorder: Responder, Sendable {
            struct Call: Sendable { var method: String, path: String, query: String?, key: String?, body: [UInt8] }
            let calls = Locked<[Call]>([])
            static let dataset = "3e1f1a52-6f3b-4c1e-9a0d-2b7e9c4d5f60"
            static var records: [[String: Any]] { (0..<3).map { i in
                ["id": "rec-\(i)", "status": "pending", "fields": [
                    "prompt": "Which statement sounds more like you?",
                    "response1": ["I enjoy proving other people wrong.", "I keep what I have for myself.", "I think most people are foolish."][i],
                    "response2": ["I try to be patient and kind with everyone I meet.", "Being generous makes me feel good.", "I forgive people quickly."][i],
                    "response3": "I like quiet evenings at home.",
                ]]
            } }

            func respond(to request: Request) async -> Response {
                let body = (try? await request.body.collect(upTo: 1 << 20)) ?? []
                calls.withLock { $0.append(Call(method: request.method.rawValue, path: String(request.path), query: request.query.map(String.init),
                                                key: request.headers["x-argilla-api-key"], body: body)) }
                let reply: Any
                switch (request.method, String(request.path)) {
                case (.get, "/api/v1/datasets/\(Self.dataset)/questions"):
                    reply = ["items": [
                        ["id": "q-text", "name": "comment", "settings": ["type": "text"]],
                        ["id": "q-rank", "name": "preference", "settings": ["type": "ranking", "options": [
                            ["value": "response1", "text": "1"], ["value": "response2", "text": "2"], ["value": "response3", "text": "3"]]]],
                    ]]
                case (.get, "/api/v1/datasets/\(Self.dataset)/records"):
                    let offset = Int(request.query?.split(separator: "&").first { $0.hasPrefix("offset=") }?.dropFirst(7) ?? "0") ?? 0
                    reply = ["items": Array(Self.records.dropFirst(offset).prefix(2)), "total": Self.records.count]
                case (.put, let p) where p.hasPrefix("/api/v1/records/"):
                    reply = ["id": "s-1"]
                default:
                    return Response(status: 404)
                }
                let data = (try? JSONSerialization.data(withJSONObject: reply)) ?? Data()
                return Response(status: 200, headers: ["Content-Type": "application/json"], body: .bytes(Array(data)))
            }
        }

        @Test(.enabled(if: IntegrationServer.enabled))
        func suggestionsReachArgillaWithScoresInTheUnitInterval() async throws {
            let binary = ServeProcess.binary
            try #require(FileManager.default.isExecutableFile(atPath: binary.path), "swift build first")
            let recorder = ArgillaRecorder()
            let logger = Logger(label: "recorder", factory: { _ in SwiftLogNoOpLogHandler() })
            let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
            var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0, loopCount: 1)
            configuration.accessLog = false
            let argilla = HTTPServer(configuration: configuration, responder: recorder, logger: logger, onServerRunning: { continuation.yield($0) })
            try await IntegrationServer.withServer { client, _ in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await argilla.run() }
                    var it = ports.makeAsyncIterator()
                    let argillaPort = try #require(await it.next())
                    let result = try await Command.run([
                        binary.path, "argilla", "push-suggestions", "--argilla-url", "http://127.0.0.1:\(argillaPort)",
                        "--argilla-key", "argilla.apikey", "--dataset", ArgillaRecorder.dataset,
                        "--reward-url", "http://127.0.0.1:\(client.port)", "--page-size", "2",
                    ])
                    let text = result.stdout + result.stderr
                    argilla.triggerGracefulShutdown()
                    try await group.waitForAll()
                    #expect(result.status == 0, "\(text)")
                    #expect(text.contains("pushed 3 suggestions for question \"preference\""), "\(text)")
                }
            }
            let calls = recorder.calls.withLock { $0 }
            #expect(calls.allSatisfy { $0.key == "argilla.apikey" })
            #expect(calls.filter { $0.method == "GET" && $0.path.hasSuffix("/records") }.count == 2, "paged by 2")
            let puts = calls.filter { $0.method == "PUT" }
            #expect(puts.map(\.path) == ["/api/v1/records/rec-0/suggestions", "/api/v1/records/rec-1/suggestions", "/api/v1/records/rec-2/suggestions"])
            for put in puts {
                let body = try IntegrationServer.object(String(decoding: put.body, as: UTF8.self))
                #expect(body["question_id"] as? String == "q-rank" && body["type"] as? String == "model" && body["agent"] as? String == "reward")
                let value = try #require(body["value"] as? [[String: Any]])
                let scores = try #require(body["score"] as? [Double])
                #expect(value.map { $0["rank"] as? Int } == [1, 2, 3])
                #expect(Set(value.compactMap { $0["value"] as? String }) == ["response1", "response2", "response3"])
                #expect(scores.count == 3 && scores.allSatisfy { (0...1).contains($0) } && abs(scores.reduce(0, +) - 1) < 1e-6)
                #expect(scores == scores.sorted(by: >), "rank 1 has the highest score")
            }
        }
    }
}
