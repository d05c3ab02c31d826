#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A `reward serve` process on port 0, as one replica of a deployment: the real binary built next to the
/// test bundle, its own working directory (no default heads or encoder picked up by accident), stderr kept
/// in a file for failure messages.
final class ReplicaProcess {
    struct Failure: Error, CustomStringConvertible { let description: String }

    let process = Process()
    let port: Int
    let client: LiveClient
    private let directory: URL

    init(databaseURL: String, arguments: [String]) throws {
        let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("reward")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw Failure(description: "reward binary not found at \(binary.path) (swift build first)")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("reward-replica-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        process.executableURL = binary
        process.currentDirectoryURL = directory
        process.arguments = ["serve", "--port", "0", "--database-url", databaseURL, "--no-access-log",
                             "--log-level", "warning", "--log-format", "text"] + arguments
        var environment = ProcessInfo.processInfo.environment
        for name in environment.keys where name.hasPrefix("REWARD_") { environment[name] = nil }
        process.environment = environment
        let stdout = Pipe()
        process.standardOutput = stdout
        let log = directory.appendingPathComponent("stderr.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        // The one stdout line: "listening on http://127.0.0.1:PORT".
        var line = Data()
        let handle = stdout.fileHandleForReading
        while !line.contains(10) {
            let byte = handle.readData(ofLength: 1)
            guard !byte.isEmpty else {
                let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                throw Failure(description: "reward serve exited before listening: \(text.suffix(2000))")
            }
            line.append(byte)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let portText = text.split(separator: ":").last, let port = Int(portText) else {
            throw Failure(description: "unexpected first line: \(text)")
        }
        self.port = port
        client = LiveClient(port: port)
    }

    /// SIGTERM, then SIGKILL if the process has not exited within 20 s.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// A database of its own on the test cluster for one test, created and dropped with `psql`
/// (the test cannot link libpq: only PreferenceStore may).
struct ScratchDatabase {
    let name: String
    let url: String
    private let adminURL: String

    init(adminURL: String) throws {
        self.adminURL = adminURL
        name = "e2e_replicas_\(UInt32.random(in: 0...UInt32.max))"
        guard var parts = URLComponents(string: adminURL) else {
            throw ReplicaProcess.Failure(description: "DATABASE_URL is not a URL")
        }
        parts.path = "/" + name
        url = parts.string!
        try Self.psql(adminURL, "CREATE DATABASE \(name)")
    }

    func drop() {
        try? Self.psql(adminURL, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    private static func psql(_ url: String, _ sql: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", sql]
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ReplicaProcess.Failure(description: "psql \(sql): \(String(decoding: message, as: UTF8.self))")
        }
    }
}
