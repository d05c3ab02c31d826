import HTTPServer
import Logging

enum TestServerError: Error { case didNotStart }

/// Runs an HTTPServer on 127.0.0.1:0 for the duration of `body`, then shuts it down gracefully
/// (on success and on failure).
func withTestServer<T: Sendable>(
    configure: (inout HTTPServer.Configuration) -> Void = { _ in },
    logger: Logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
    _ responder: @escaping @Sendable (Request) async -> Response,
    _ body: @Sendable (Int) async throws -> T
) async throws -> T {
    var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0, loopCount: 2)
    configure(&configuration)
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let server = HTTPServer(
        configuration: configuration, responder: ClosureResponder(responder), logger: logger,
        onServerRunning: { continuation.yield($0) })
    return try await run(server, announcing: ports, body)
}

/// Runs `server` until `body` (given its port) returns or throws, then shuts it down gracefully.
func run<T: Sendable>(
    _ server: HTTPServer, announcing ports: AsyncStream<Int>, _ body: @Sendable (Int) async throws -> T
) async throws -> T {
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw TestServerError.didNotStart }
        do {
            let value = try await body(port)
            server.triggerGracefulShutdown()
            try await group.waitForAll()
            return value
        } catch {
            server.triggerGracefulShutdown()
            try? await group.waitForAll()
            throw error
        }
    }
}
