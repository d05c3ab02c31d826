#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization
import Testing
import TestSupport
import Locking

/// Head hot reload on a real `reward serve`: SIGHUP and `POST /v1/admin/heads:reload` while clients
/// keep scoring — no request fails; a broken head file keeps the previous version serving.
struct ServeReloadTests {
    static func setVersion(_ version: String, in directory: URL) throws {
        let url = directory.appendingPathComponent("config.json")
        var config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        config["version"] = version
        try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys]).write(to: url, options: .atomic)
    }

    static func headVersion(_ port: Int) throws -> String? {
        let text = try curl(["-s", "http://127.0.0.1:\(port)/v1/heads/s"])
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        return object?["version"] as? String
    }

    @Test func reloadsUnderLoadFailNoRequestAndABrokenHeadKeepsServing() async throws {
        try await offPool {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("reward-heads-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: directory) }
            try FileManager.default.copyItem(atPath: "Deploy/heads/synthetic", toPath: directory.path)
            let server = try ServeProcess(serving: ["--head", "s=\(directory.path)"])
            let port = server.port
            let body = #"{"items":[{"features":\#(ServeOperationsTests.features(7))},{"features":\#(ServeOperationsTests.features(8))}]}"#
            let request = "POST /v1/score HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"

            let stop = Atomic<Bool>(false)
            let statuses = Locked<[Int: Int]>([:])
            let clients = (0..<4).map { _ in
                Thread {
                    var counts: [Int: Int] = [:]
                    defer { statuses.withLock { all in all.merge(counts, uniquingKeysWith: +) } }
                    guard let client = try? RawClient(port: port) else { counts[-1, default: 0] += 1; return }
                    while !stop.load(ordering: .relaxed) {
                        do {
                            try client.send(request)
                            counts[try client.readResponse().status, default: 0] += 1
                        } catch {
                            counts[-1, default: 0] += 1
                            return
                        }
                    }
                }
            }
            clients.forEach { $0.start() }
            usleep(100_000)
            for round in 1...6 {
                try Self.setVersion("v\(round)", in: directory)
                if round % 2 == 0 {
                    let reply = try ServeOperationsTests.post(port, "/v1/admin/heads:reload", "")
                    #expect(reply.hasPrefix("HTTP/1.1 200"), "\(reply)")
                } else {
                    server.signal(SIGHUP)
                }
                usleep(150_000)
            }
            stop.store(true, ordering: .relaxed)
            while clients.contains(where: { !$0.isFinished }) { usleep(10_000) }
            let counts = statuses.withLock { $0 }
            #expect(counts.keys.sorted() == [200], "statuses: \(counts)")
            #expect((counts[200] ?? 0) > 50)
            #expect(try Self.headVersion(port) == "v6")

            // A broken weights file: the reload reports the head, the previous version keeps scoring.
            try Self.setVersion("v7", in: directory)
            try Data("not safetensors".utf8).write(to: directory.appendingPathComponent("model.safetensors"))
            let failed = try ServeOperationsTests.post(port, "/v1/admin/heads:reload", "")
            #expect(failed.hasPrefix("HTTP/1.1 500"))
            #expect(failed.contains("/heads/s") && failed.contains("head s kept version v6"))
            #expect(try Self.headVersion(port) == "v6")
            #expect(try ServeOperationsTests.post(port, "/v1/score", body).hasPrefix("HTTP/1.1 200"))
            let metrics = try curl(["-s", "http://127.0.0.1:\(port)/metrics"])
            #expect(metrics.contains(#"reward_head_reloads_total{result="ok"} 6"#))
            #expect(metrics.contains(#"reward_head_reloads_total{result="failed"} 1"#))
            server.signal(SIGTERM)
            #expect(server.waitForExit() == 0)
        }
    }
}
