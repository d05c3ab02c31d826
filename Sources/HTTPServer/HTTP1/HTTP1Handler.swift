/// HTTP/1.1 over one connection: parses requests (HTTP1Parser), runs the responder in a Swift task,
/// writes responses in request order (one exchange at a time; pipelined requests wait in the input
/// buffer), and applies the header, keep-alive and body timeouts.
///
/// `@unchecked Sendable`: confined to its connection's loop; tasks come back via `loop.execute`.
final class HTTP1Handler: ConnectionHandler, @unchecked Sendable {
    enum BodyMode { case none, buffered, streaming }

    let connection: Connection
    let server: ServerContext
    var parser: HTTP1Parser
    /// The exchange being read or answered.
    var exchange = Exchange()
    /// A request has been handed to the responder and its response is not complete yet.
    var inFlight = false
    /// The current request's body is still arriving.
    var readingBody = false
    var bodyMode = BodyMode.none
    var bufferedBody: [UInt8] = []
    var bodySource: RequestBodySource?
    var pendingRequest: Request?
    /// Bytes of the next request have arrived (the header timeout runs).
    var requestStarted = false
    var shuttingDown = false
    var peerClosed = false
    /// Inside `received`: a response finished synchronously must not re-enter it (the running parse
    /// loop continues with the next pipelined request by itself).
    var inReceive = false
    /// A stream writer waiting for the output to drain.
    var blockedWriter: CheckedContinuation<Void, any Error>?

    struct Exchange {
        var method = HTTPMethod.get
        var path = ""
        var requestID = ""
        var startNanos: UInt64 = 0
        var keepAlive = true
        var isHead = false
        var version = HTTPVersion.http1_1
        var bytesSent = 0
        var status = 0
        var logFields: [(String, String)] = []
    }

    init(connection: Connection, server: ServerContext) {
        self.connection = connection
        self.server = server
        parser = HTTP1Parser(limits: server.parserLimits)
        // A fresh connection that never sends a byte is closed after the header timeout.
        connection.setDeadline(monotonicNanos() &+ server.configuration.headerReadTimeout.nanoseconds)
    }

    // MARK: ConnectionHandler

    var prefersLargeReads: Bool { readingBody && bodyMode == .streaming }

    func received(_ bytes: UnsafeRawBufferPointer, connection: Connection) -> Int {
        inReceive = true
        defer { inReceive = false }
        var offset = 0
        while connection.state == .open {
            if inFlight && !readingBody { break }  // answer this request before reading the next
            // Pipelined requests wait while the peer is not taking our responses (see outputDrained).
            if !inFlight && !readingBody && parser.isIdle && connection.isOverOutputLimit {
                connection.notifyWhenOutputDrains()
                break
            }
            if !requestStarted && offset < bytes.count && !readingBody { startRequest() }
            let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
            let (event, consumed) = parser.next(rest)
            offset += consumed
            switch event {
            case .needMore:
                return offset
            case .head(let head):
                onHead(head)
                if connection.handler !== self { return offset }  // upgraded to HTTP/2 (h2c)
            case .body(let start, let count):
                onBody(UnsafeRawBufferPointer(rebasing: rest[start..<(start + count)]))
            case .end:
                onEnd()
            case .error(let error):
                onParseError(error)
                return bytes.count
            }
        }
        return offset
    }

    func inputClosed(connection: Connection) {
        peerClosed = true
        if readingBody {
            bodySource?.finish(.aborted)
            bodySource = nil
            readingBody = false
        }
        // A request in flight is still answered (the peer may only have half-closed).
        if !inFlight { connection.close(.afterFlush) }
    }

    func outputDrained(connection: Connection) {
        if let writer = blockedWriter {
            blockedWriter = nil
            writer.resume()
        }
        if !inFlight && !inReceive {
            connection.redeliverInput()  // pipelined requests held back by the output limit
            connection.flush()
        }
    }

    func deadlineExpired(connection: Connection) {
        if readingBody && connection.isReadingPaused {
            // We stopped reading (a slow body consumer, or output backpressure): not the peer's fault.
            connection.setDeadline(monotonicNanos() &+ server.configuration.bodyReadTimeout.nanoseconds)
            return
        }
        if readingBody {
            bodySource?.finish(.aborted)
            bodySource = nil
            if inFlight {
                connection.close(.now)  // the responder already answers; nothing consistent to add
            } else {
                sendTransportError(.bodyTimeout)
            }
        } else if requestStarted && !inFlight {
            sendTransportError(.headerTimeout)
        } else if !inFlight {
            connection.close(.now)  // idle keep-alive connection
        }
    }

    func gracefulShutdown(connection: Connection) {
        shuttingDown = true
        if !inFlight && !requestStarted { connection.close(.afterFlush) }
    }

    func closed(connection: Connection) {
        bodySource?.finish(.aborted)
        bodySource = nil
        if let writer = blockedWriter {
            blockedWriter = nil
            writer.resume(throwing: HTTPServerError(code: .connectionClosed, message: "connection closed"))
        }
    }

    // MARK: reading a request

    func startRequest() {
        requestStarted = true
        exchange = Exchange()
        exchange.startNanos = monotonicNanos()
        connection.setDeadline(exchange.startNanos &+ server.configuration.headerReadTimeout.nanoseconds)
    }

    private func onHead(_ head: RequestHead) {
        var headers = head.headers
        exchange.requestID = RequestID.adopt(from: &headers)
        exchange.method = head.method
        exchange.path = head.target
        exchange.version = head.version
        exchange.isHead = head.method == .head
        exchange.keepAlive = head.keepAlive && !shuttingDown
        var request = Request(
            method: head.method, target: head.target, version: head.version, headers: headers,
            body: .empty, remoteAddress: connection.remoteAddress)

        if head.upgrade != nil && upgradeToHTTP2IfOffered(head, request) { return }

        let limit: Int
        if let decide = server.configuration.bodyLimit { limit = decide(request) ?? Int.max } else {
            limit = server.configuration.maxBodySize
        }
        parser.bodyLimit = limit
        switch head.framing {
        case .none:
            bodyMode = .none
            pendingRequest = request
        case .length(let length) where length > limit:
            onParseError(.bodyTooLarge)
            return
        case .length(let length) where length <= server.configuration.bufferedBodyThreshold:
            bodyMode = .buffered
            bufferedBody = []
            bufferedBody.reserveCapacity(length)
            pendingRequest = request
        case .length, .chunked:
            bodyMode = .streaming
            let connection = self.connection
            let source = RequestBodySource(
                highWatermark: server.configuration.requestBodyHighWatermark, peak: server.requestBodyPeak
            ) {
                connection.loop.execute { connection.pauseReading(false) }
            }
            bodySource = source
            request.body = RequestBody(source: source)
            dispatch(request)
        }
        if bodyMode != .none {
            readingBody = true
            if head.expectsContinue { connection.writeOutput { $0.append("HTTP/1.1 100 Continue\r\n\r\n" as StaticString) } }
            connection.setDeadline(monotonicNanos() &+ server.configuration.bodyReadTimeout.nanoseconds)
        }
    }

    private func onBody(_ bytes: UnsafeRawBufferPointer) {
        switch bodyMode {
        case .buffered:
            bufferedBody.append(contentsOf: bytes)
        case .streaming:
            if let source = bodySource, source.append(Array(bytes)) { connection.pauseReading(true) }
        case .none:
            break
        }
        connection.setDeadline(monotonicNanos() &+ server.configuration.bodyReadTimeout.nanoseconds)
    }

    private func onEnd() {
        readingBody = false
        switch bodyMode {
        case .none:
            if let request = pendingRequest { dispatch(request) }
        case .buffered:
            if var request = pendingRequest {
                request.body = RequestBody(bytes: bufferedBody)
                bufferedBody = []
                dispatch(request)
            }
        case .streaming:
            bodySource?.finish()
            bodySource = nil
            connection.pauseReading(false)
        }
        pendingRequest = nil
        if inFlight { connection.setDeadline(nil) }
    }

    private func dispatch(_ request: Request) {
        inFlight = true
        connection.setDeadline(readingBody ? monotonicNanos() &+ server.configuration.bodyReadTimeout.nanoseconds : nil)
        let responder = server.responder
        let loop = connection.loop
        if let inline = server.configuration.inlineResponder, inline(request) {
            // Runs right here on the loop until its first suspension; a responder that never suspends
            // answers without any thread hop.
            Task.immediate {
                let response = await responder.respond(to: request)
                if loop.inEventLoop { self.responseReady(response) } else { loop.execute { self.responseReady(response) } }
            }
        } else {
            Task {
                let response = await responder.respond(to: request)
                loop.execute { self.responseReady(response) }
            }
        }
    }

    private func onParseError(_ error: HTTP1ParseError) {
        if inFlight {
            // The responder is already answering; it sees an aborted body and the connection closes.
            bodySource?.finish(.aborted)
            bodySource = nil
            readingBody = false
            exchange.keepAlive = false
            return
        }
        sendTransportError(error)
    }
}
