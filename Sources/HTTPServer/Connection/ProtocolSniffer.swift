/// The first handler of a plaintext connection: it reads just enough of the first bytes to tell
/// the HTTP/2 connection preface (prior knowledge: `curl --http2-prior-knowledge`, h2load) from
/// an HTTP/1.1 request, then hands the connection — and every byte read so far — to the right
/// handler. HTTP/1.1 requests are told apart on their first or second byte.
final class ProtocolSniffer: ConnectionHandler {
    let server: ServerContext

    init(connection: Connection, server: ServerContext) {
        self.server = server
        connection.setDeadline(monotonicNanos() &+ server.configuration.headerReadTimeout.nanoseconds)
    }

    func received(_ bytes: UnsafeRawBufferPointer, connection: Connection) -> Int {
        switch HTTP2Upgrade.matchPreface(bytes) {
        case .needMoreBytes:
            break
        case .notHTTP2:
            connection.switchHandler(to: HTTP1Handler(connection: connection, server: server))
        case .http2:
            do {
                let handler = try HTTP2Handler(connection: connection, server: server)
                connection.switchHandler(to: handler)
                try handler.start()
            } catch {
                server.logger.error("cannot start HTTP/2", metadata: ["error": "\(error)"])
                connection.close(.now)
            }
        }
        return 0  // the chosen handler is offered all of it
    }

    func inputClosed(connection: Connection) { connection.close(.now) }
    func outputDrained(connection: Connection) {}
    func deadlineExpired(connection: Connection) { connection.close(.now) }
    func gracefulShutdown(connection: Connection) { connection.close(.afterFlush) }
    func closed(connection: Connection) {}
}
