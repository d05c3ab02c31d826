import Foundation
import Testing
import TestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `reward keys` and `reward serve` as real processes on a database of their own (keys in the shared test
/// database would switch auth on for every other test that starts a server).
@Suite(.enabled(if: AnnotationLoopTests.databaseURL != nil))
struct KeysLiveTests {
    @Test func cliKeysGuardTheServerAndRevocationReachesIt() async throws {
        try await withScratchDatabase("keys") { url in
            let full = try await reward(["keys", "create", "--tenant", "acme", "--scopes", "score,write", "--label", "e2e"], url)
            let scoreOnly = try await reward(["keys", "create", "--tenant", "acme", "--scopes", "score"], url)
            let key = full.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let limited = scoreOnly.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(key.hasPrefix("rk_") && limited.hasPrefix("rk_"), "\(full.stderr)")
            let id = String(key.split(separator: "_")[1])
            let list = try await reward(["keys", "list"], url)
            #expect(list.stdout.contains(id) && list.stdout.contains("acme") && list.stdout.contains("score,write"))
            #expect(!list.stdout.contains(String(key.split(separator: "_")[2])), "list never shows a secret")

            let server = try await ServerProcess.start(["--host", "127.0.0.1"], url)
            #expect(try await server.get("/v1/heads").status == 401)
            #expect(try await server.get("/healthz").status == 200)
            #expect(try await server.get("/v1/heads", key: key).status == 200)
            let comparison = #"{"comparisons":[{"chosen":{"features":[1,2,3,4,5,6,7,8]},"rejected":{"features":[8,7,6,5,4,3,2,1]}}]}"#
            #expect(try await server.send("POST", "/v1/users/alice/comparisons", key: limited, body: comparison).status == 403)

            _ = try await reward(["keys", "revoke", id], url)
            let revoked = ContinuousClock.now
            var status = 0
            while ContinuousClock.now - revoked < .seconds(5) {
                status = try await server.get("/v1/heads", key: key).status
                if status == 401 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(status == 401)
            #expect(ContinuousClock.now - revoked < .seconds(3), "revocation took \(ContinuousClock.now - revoked)")
            #expect(try await server.get("/v1/heads", key: limited).status == 200, "other keys keep working")
            #expect(try await reward(["keys", "list", "--all"], url).stdout.contains("revoked"))
        }
    }

    @Test func aPublicBindWithoutKeysIsRefusedUnlessAllowed() async throws {
        try await withScratchDatabase("keys") { url in
            let refused = try await reward(["serve", "--host", "0.0.0.0", "--port", "0", "--no-access-log", "--head", "synthetic=\(AnnotationLoopTests.headDirectory)"], url)
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("refusing to serve 0.0.0.0 without API keys"), "\(refused.stderr)")
            #expect(refused.stderr.contains("--allow-unauthenticated"))

            let open = try await ServerProcess.start(["--host", "0.0.0.0", "--allow-unauthenticated"], url)
            #expect(try await open.get("/v1/heads").status == 200)
        }
    }

    @Test func aBootstrapKeyFileCreatesItsKeyOnceAndARevokedOneStaysRevoked() async throws {
        try await withScratchDatabase("keys") { url in
            let line = try await reward(["keys", "generate", "--tenant", "acme", "--scopes", "score"], url).stdout
            let key = String(line.split(separator: " ")[0])
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("bootstrap-\(UUID().uuidString)")
            try "# mounted secret\n\(line)".write(to: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: file) }
            let environment = ["REWARD_BOOTSTRAP_KEY_FILE": file.path]

            do {
                let server = try await ServerProcess.start(["--host", "0.0.0.0"], url, environment: environment)
                #expect(try await server.get("/v1/heads").status == 401)
                #expect(try await server.get("/v1/heads", key: key).status == 200)
            }
            let list = try await reward(["keys", "list"], url).stdout
            #expect(list.contains("bootstrap") && list.contains("acme"))
            do {
                // A restart with the same file finds the id and changes nothing.
                let server = try await ServerProcess.start(["--host", "127.0.0.1"], url, environment: environment)
                #expect(try await server.get("/v1/heads", key: key).status == 200)
            }
            _ = try await reward(["keys", "revoke", key], url)
            // Another key keeps auth on, so the revoked one is judged (with no active key, loopback is open).
            let other = try await reward(["keys", "create", "--tenant", "acme"], url).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let restarted = try await ServerProcess.start(["--host", "127.0.0.1"], url, environment: environment)
            #expect(try await restarted.get("/v1/heads", key: key).status == 401, "a revoked bootstrap key is not re-created")
            #expect(try await restarted.get("/v1/heads", key: other).status == 200)
        }
    }
}

// MARK: processes

/// `reward serve --port 0` on the committed synthetic head; stopped (SIGTERM) when released.
final class ServerProcess: Sendable {
    let server: ServeProcess
    var port: Int { server.port }

    private init(server: ServeProcess) { self.server = server }

    static func start(_ arguments: [String], _ url: String, environment: [String: String] = [:]) async throws -> ServerProcess {
        let merged = ProcessInfo.processInfo.environment.merging(["DATABASE_URL": url], uniquingKeysWith: { $1 })
            .merging(environment, uniquingKeysWith: { $1 })
        return ServerProcess(server: try await ServeProcess.start(
            ["--no-access-log", "--log-level", "warning", "--head", "synthetic=\(AnnotationLoopTests.headDirectory)"] + arguments,
            environment: merged))
    }

    func get(_ path: String, key: String? = nil) async throws -> LiveClient.Reply { try await send("GET", path, key: key, body: nil) }

    func send(_ method: String, _ path: String, key: String?, body: String?) async throws -> LiveClient.Reply {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.timeoutInterval = 30
        if let key { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return LiveClient.Reply(status: (response as? HTTPURLResponse)?.statusCode ?? 0, text: String(decoding: data, as: UTF8.self))
    }
}
