import Logging
/// The HTTP/2 `ConnectionHandler`: plugs an `HTTP2Connection` (nghttp2, I/O-free) into a
/// `Connection` (socket, buffers, TLS). Received bytes go to nghttp2 in one batch, then its
/// frames are written in one batch; output past the high watermark waits in nghttp2 (DATA is
/// pulled, not pushed) and reading pauses until the socket drains.
///
/// `@unchecked Sendable`: confined to the connection's loop, like `Connection`.
final class HTTP2Handler: ConnectionHandler, BatchEndSink, @unchecked Sendable {
    let connection: Connection
    let server: ServerContext
    let session: HTTP2Connection
    private var peerClosed = false
    private var pumpScheduled = false

    init(connection: Connection, server: ServerContext) throws {
        self.connection = connection
        self.server = server
        var configuration = server.configuration.http2
        configuration.maxBodySize = server.configuration.maxBodySize
        configuration.bodyLimit = server.configuration.bodyLimit
        session = try HTTP2Connection(
            responder: server.responder, configuration: configuration, executor: connection.loop,
            remoteAddress: connection.remoteAddress)
        let loop = connection.loop
        session.responseDate = { loop.httpDate.currentText() }
        session.serverName = server.configuration.serverName
        session.assignRequestID = { RequestID.adopt(from: &$0) }
        session.inlineResponder = server.configuration.inlineResponder
        session.requestBodyPeak = server.requestBodyPeak
        session.isOnConnectionThread = { loop.inEventLoop }
        // Weak: a responder finishing on another thread may hand output to a session whose connection
        // is already gone.
        session.onOutputAvailable = { [weak self] in self?.schedulePump() }
        if server.configuration.accessLog {
            let logger = server.logger
            session.onStreamFinished = { stream in
                let micros = (monotonicNanos() &- stream.startNanos) / 1000
                // The same line as HTTP/1.1's, plus the protocol and stream.
                var metadata: Logger.Metadata = [
                    "http.method": .string(stream.method ?? "-"),
                    "http.path": .string(String((stream.path ?? "-").prefix(256))),
                    "http.status": .stringConvertible(stream.responseStatus),
                    "http.bytes": .stringConvertible(stream.bodyBytesSent),
                    "http.duration_ms": .string(String(Double(micros) / 1000)),
                    "http.version": "2",
                    "http2.stream": .stringConvertible(stream.id),
                    "request.id": .string(stream.requestID ?? "-"),
                ]
                metadata.addResponseFields(stream.logFields)
                logger.info("request", metadata: metadata)
            }
        }
    }

    /// Prior knowledge (preface sniffed) or ALPN "h2": the server's SETTINGS go out first.
    func start() throws {
        try session.start()
        pump()
    }

    /// `Upgrade: h2c`: 101 is already queued; `request` becomes stream 1.
    func startUpgraded(http2Settings: String, request: Request) throws {
        try session.startUpgraded(http2Settings: http2Settings, request: request)
        pump()
    }

    func received(_ bytes: UnsafeRawBufferPointer, connection: Connection) -> Int {
        session.receive(bytes)
        pump()
        return bytes.count
    }

    /// Responses finishing on many streams hop back one by one; one pump after the batch of
    /// queued jobs turns them into one write (and one TLS record run) instead of one each.
    private func schedulePump() {
        guard connection.loop.inEventLoop else {
            connection.loop.execute { [self] in schedulePump() }  // state below is loop-confined
            return
        }
        guard !pumpScheduled else { return }
        pumpScheduled = true
        connection.loop.atEndOfBatch(self)
    }

    func batchEnded() {
        pumpScheduled = false
        pump()
    }

    /// Moves queued frames to the connection (up to the watermark) and updates the deadline.
    func pump() {
        guard connection.state == .open else { return }
        let room = server.configuration.outputHighWatermark - connection.unsentBytes
        if room > 0 {
            connection.writeOutput { out in session.produceOutput(limit: room) { out.append($0) } }
        }
        connection.flush()
        guard connection.state == .open else { return }
        if session.isFinished || (peerClosed && session.openStreamCount == 0) {
            connection.close(.afterFlush)
        } else if session.openStreamCount == 0 && session.shutdownState == .running {
            // Idle: no stream open. Streams in progress are bounded by the write timeout instead.
            connection.setDeadline(monotonicNanos() &+ server.configuration.keepAliveTimeout.nanoseconds)
        } else if session.shutdownState == .running {
            connection.setDeadline(nil)
        }
    }

    func inputClosed(connection: Connection) {
        peerClosed = true
        pump()
    }

    func outputDrained(connection: Connection) { pump() }

    func deadlineExpired(connection: Connection) {
        // Idle timeout, or the shutdown notice's PING was never answered: final GOAWAY now.
        session.finishGracefulShutdown()
        pump()
    }

    func gracefulShutdown(connection: Connection) {
        session.beginGracefulShutdown()
        // The PING ACK normally triggers the final GOAWAY; a peer that never answers gets it anyway.
        connection.setDeadline(monotonicNanos() &+ 1_000_000_000)
        pump()
    }

    func closed(connection: Connection) {
        session.connectionClosed()
    }
}

