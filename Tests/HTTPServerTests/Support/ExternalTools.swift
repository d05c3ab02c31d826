import Foundation
import HTTPServer
import Logging

/// Runs an external tool (curl, python3, the reward binary) and collects its output.
struct ToolResult: Sendable {
    let status: Int32
    let stdout: String
    let stderr: String
}

func runTool(_ arguments: [String], timeout: Duration = .seconds(60)) async throws -> ToolResult {
    try await blocking {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let killer = TestThread {
            let deadline = ContinuousClock.now + timeout
            while process.isRunning && ContinuousClock.now < deadline { usleep(20_000) }
            if process.isRunning { process.terminate() }
        }
        killer.start()
        // Read both pipes to the end (in parallel with the child, so a full pipe never blocks it).
        let stderrBox = Locked<Data>(Data())
        let readErr = TestThread { stderrBox.set(err.fileHandleForReading.readDataToEndOfFile()) }
        readErr.start()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while process.isRunning { usleep(1000) }
        var stderrData = stderrBox.get()
        for _ in 0..<500 where stderrData.isEmpty && process.terminationStatus != 0 {
            usleep(1000)
            stderrData = stderrBox.get()
        }
        return ToolResult(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderrData, as: UTF8.self))
    }
}

/// The package root (for scripts under Tests/ and the built `reward` binary).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

/// A live server whose responder can reach the server itself (for a `/shutdown` route).
func withServer<T: Sendable>(
    configure: (inout HTTPServer.Configuration) -> Void = { _ in },
    logger: Logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
    _ responder: @escaping @Sendable (Request, HTTPServer) async -> Response,
    _ body: @Sendable (Int) async throws -> T
) async throws -> T {
    var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0, loopCount: 2)
    configuration.accessLog = false
    configure(&configuration)
    let box = Locked<HTTPServer?>(nil)
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let server = HTTPServer(
        configuration: configuration,
        responder: ClosureResponder { request in await responder(request, box.get()!) },
        logger: logger,
        onServerRunning: { continuation.yield($0) })
    box.set(server)
    return try await run(server, announcing: ports, body)
}

/// Collects log records (message + metadata) for assertions.
struct CollectingLogHandler: LogHandler {
    let records: Locked<[(message: String, metadata: Logger.Metadata)]>
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        records.update { $0.append((event.message.description, self.metadata.merging(event.metadata ?? [:]) { $1 })) }
    }
}
