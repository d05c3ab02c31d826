import Logging
import Synchronization

/// What every connection of one server shares: configuration, responder, logger, counters, and the
/// per-connection choice of protocol handler. Immutable apart from its atomics.
final class ServerContext: Sendable {
    let configuration: HTTPServer.Configuration
    let responder: any Responder
    let logger: Logger
    let parserLimits: HTTP1Parser.Limits
    let connectionCount = Atomic<Int>(0)
    /// Connections that sent their last response and only drain the peer before closing; shutdown
    /// does not wait for them.
    let lingeringCount = Atomic<Int>(0)
    let isShuttingDown = Atomic<Bool>(false)
    /// `HTTPServer.bufferPeaks`: request body bytes held for one request, unsent output of one connection.
    let requestBodyPeak = PeakGauge()
    let outputPeak = PeakGauge()
    /// Pre-encoded `Server: …\r\n` line (empty when no server name is configured).
    let serverHeaderLine: [UInt8]

    init(configuration: HTTPServer.Configuration, responder: any Responder, logger: Logger) {
        self.configuration = configuration
        self.responder = responder
        self.logger = logger
        parserLimits = configuration.parserLimits
        serverHeaderLine = configuration.serverName.map { Array("Server: \($0)\r\n".utf8) } ?? []
    }

    /// Protocol selection, once per connection, when application bytes can first flow. HTTP/2 plugs in
    /// here: ALPN "h2" after TLS, or a sniffing handler that swaps itself for HTTP/2 when it sees the
    /// client preface (`Connection.replaceHandler(with:)`).
    func makeHandler(_ info: ConnectionInfo, _ connection: Connection) -> ConnectionHandler {
        guard configuration.http2.isEnabled else { return HTTP1Handler(connection: connection, server: self) }
        if !info.isTLS { return ProtocolSniffer(connection: connection, server: self) }
        guard info.negotiatedProtocol == "h2" else { return HTTP1Handler(connection: connection, server: self) }
        do {
            let handler = try HTTP2Handler(connection: connection, server: self)
            try handler.start()
            return handler
        } catch {
            logger.error("cannot start HTTP/2", metadata: ["error": "\(error)"])
            connection.close(.now)
            return HTTP1Handler(connection: connection, server: self)
        }
    }

    /// The transport of a newly accepted connection: nil for plain TCP, TLS when configured.
    func makeTransport() throws -> ConnectionTransport? {
        guard let tls = configuration.tls else { return nil }
        return TLSTransport(session: try tls.makeSession())
    }
}
