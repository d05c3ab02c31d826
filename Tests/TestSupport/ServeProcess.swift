#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A `reward serve --port 0` child process: the real binary built next to the test bundle, started
/// and stopped off the cooperative pool. The port comes from its one stdout line.
public final class ServeProcess: @unchecked Sendable {  // `process` is only signalled and waited on; Process is thread-safe for that
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// The `reward` executable SwiftPM builds next to the test bundle.
    public static var binary: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("reward")
    }

    public let process = Process()
    public let port: Int
    private let cleanup: @Sendable () -> Void

    /// Starts `reward serve --port 0 ARGUMENTS` and waits (blocking) for its "listening" line.
    /// `stderr`: a file that receives its log lines (quoted in the failure when it exits early);
    /// `cleanup` runs once the process has exited (e.g. removing its state directory).
    public init(
        _ arguments: [String], environment: [String: String]? = nil, directory: URL? = nil, stderr: URL? = nil,
        cleanup: @escaping @Sendable () -> Void = {}
    ) throws {
        self.cleanup = cleanup
        guard FileManager.default.isExecutableFile(atPath: Self.binary.path) else {
            throw Failure(description: "reward binary not found at \(Self.binary.path) (swift build first)")
        }
        process.executableURL = Self.binary
        process.arguments = ["serve", "--port", "0"] + arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = directory }
        if let stderr {
            _ = FileManager.default.createFile(atPath: stderr.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: stderr)
        }
        let stdout = Pipe()
        process.standardOutput = stdout
        try process.run()
        var line = Data()
        let handle = stdout.fileHandleForReading
        while !line.contains(10) {
            let byte = handle.readData(ofLength: 1)
            guard !byte.isEmpty else {
                let log = stderr.flatMap { try? String(contentsOf: $0, encoding: .utf8) } ?? ""
                process.waitUntilExit()
                cleanup()
                throw Failure(description: "reward serve exited (\(process.terminationStatus)) before listening: \(log.suffix(2000))")
            }
            line.append(byte)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let portText = text.split(separator: ":").last, let port = Int(portText) else {
            process.terminate()
            throw Failure(description: "unexpected first line: \(text)")
        }
        self.port = port
    }

    /// `init` on a thread of its own.
    public static func start(
        _ arguments: [String], environment: [String: String]? = nil, directory: URL? = nil, stderr: URL? = nil,
        cleanup: @escaping @Sendable () -> Void = {}
    ) async throws -> ServeProcess {
        try await offPool {
            try ServeProcess(arguments, environment: environment, directory: directory, stderr: stderr, cleanup: cleanup)
        }
    }

    public func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits (blocking) at most `seconds` for the exit; the exit status, or nil while it still runs.
    public func waitForExit(seconds: Double = 30) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// `waitForExit` on a thread of its own.
    public func exitStatus(within seconds: Double = 30) async -> Int32? {
        await offPool { self.waitForExit(seconds: seconds) }
    }

    /// SIGTERM, then SIGKILL if it has not exited within 20 s (blocking).
    public func stopBlocking() {
        if process.isRunning {
            signal(SIGTERM)
            if waitForExit(seconds: 20) == nil {
                signal(SIGKILL)
                process.waitUntilExit()
            }
        }
    }

    /// `stopBlocking` on a thread of its own.
    public func stop() async { await offPool { self.stopBlocking() } }

    /// A process still running is stopped from a thread of its own, so releasing the last reference
    /// in a test's task never blocks the pool; call `stop()` first where the exit must be awaited.
    deinit {
        let process = process, cleanup = cleanup
        guard process.isRunning else { return cleanup() }
        kill(process.processIdentifier, SIGTERM)
        Thread.detachNewThread {
            let deadline = Date().addingTimeInterval(20)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
            cleanup()
        }
    }
}
