import Foundation
import Locking

/// What a finished child process printed and how it exited.
public struct CommandResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Child processes for tests: run to completion with their output collected, never on the cooperative pool.
public enum Command {
    /// Runs `arguments` (the first is looked up on PATH unless it is a path) to completion; terminated
    /// (SIGTERM) when it outlives `timeout`.
    public static func run(
        _ arguments: [String], environment: [String: String]? = nil, directory: URL? = nil,
        timeout: Duration = .seconds(60)
    ) async throws -> CommandResult {
        try await offPool { try runBlocking(arguments, environment: environment, directory: directory, timeout: timeout) }
    }

    /// `run` on the calling thread (already off the pool).
    public static func runBlocking(
        _ arguments: [String], environment: [String: String]? = nil, directory: URL? = nil,
        timeout: Duration = .seconds(60)
    ) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        // Both pipes are drained while the child runs, so a full pipe never blocks it.
        let stderr = Locked(Data())
        let stderrRead = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            let data = err.fileHandleForReading.readDataToEndOfFile()
            stderr.withLock { $0 = data }
            stderrRead.signal()
        }
        Thread.detachNewThread {
            if exited.wait(timeout: .now() + timeout.timeInterval) == .timedOut { process.terminate() } else { exited.signal() }
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        stderrRead.wait()
        process.waitUntilExit()
        return CommandResult(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr.withLock { $0 }, as: UTF8.self))
    }
}

extension Duration {
    var timeInterval: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
