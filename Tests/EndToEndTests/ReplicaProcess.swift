import Foundation
import TestSupport

/// A `reward serve` process on port 0, as one replica of a deployment: the real binary built next to the
/// test bundle, its own working directory (no default heads or encoder picked up by accident), stderr kept
/// in a file for failure messages. Stopped when released (or by `stop()`).
final class ReplicaProcess: Sendable {
    let server: ServeProcess
    let client: LiveClient

    private init(server: ServeProcess) {
        self.server = server
        client = LiveClient(port: server.port)
    }

    static func start(databaseURL: String, arguments: [String]) async throws -> ReplicaProcess {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("reward-replica-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var environment = ProcessInfo.processInfo.environment
        for name in environment.keys where name.hasPrefix("REWARD_") { environment[name] = nil }
        let server = try await ServeProcess.start(
            ["--database-url", databaseURL, "--no-access-log", "--log-level", "warning", "--log-format", "text"] + arguments,
            environment: environment, directory: directory, stderr: directory.appendingPathComponent("stderr.log"),
            cleanup: { try? FileManager.default.removeItem(at: directory) })
        return ReplicaProcess(server: server)
    }

    func stop() async { await server.stop() }
}
