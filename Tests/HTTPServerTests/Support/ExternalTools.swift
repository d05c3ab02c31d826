import Foundation
import HTTPServer
import Logging
import TestSupport
import Locking

/// `curl --max-time 10 ARGUMENTS` on the calling thread (the tests that use it run off the pool); its stdout.
func curl(_ arguments: [String]) throws -> String {
    let result = try Command.runBlocking(["curl", "--max-time", "10"] + arguments)
    guard result.status == 0 else { throw ServeProcess.Failure(description: "curl exited \(result.status): \(result.stderr)") }
    return result.stdout
}

extension ServeProcess {
    /// `reward serve` as these tests run it (no access log, warnings only; later arguments override).
    /// Without DATABASE_URL (`make test` sets it) each process gets a private cluster in its own state directory.
    convenience init(serving arguments: [String] = [], stderr: URL? = nil) throws {
        var arguments = ["--no-access-log", "--log-level", "warning"] + arguments
        var stateDirectory: URL?
        if (ProcessInfo.processInfo.environment["DATABASE_URL"] ?? "").isEmpty {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("reward-serve-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            stateDirectory = directory
            arguments += ["--state-dir", directory.path]
        }
        try self.init(arguments, stderr: stderr, cleanup: { [stateDirectory] in
            if let stateDirectory { try? FileManager.default.removeItem(at: stateDirectory) }
        })
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
        records.withLock { $0.append((event.message.description, self.metadata.merging(event.metadata ?? [:]) { $1 })) }
    }
}
