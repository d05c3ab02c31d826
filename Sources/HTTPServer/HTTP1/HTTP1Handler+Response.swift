import Logging

/// Writing responses: head, fixed or streamed body, the end of an exchange, transport errors.
extension HTTP1Handler {
    func responseReady(_ response: Response) {
        guard connection.state == .open else { return }  // the peer went away meanwhile
        exchange.status = response.status
        exchange.logFields = response.logFields
        if readingBody {
            // Answered before the body was read: the rest of the body is not worth reading.
            exchange.keepAlive = false
        }
        if peerClosed { exchange.keepAlive = false }
        let noBody = exchange.isHead || response.status == 204 || response.status == 304 || response.status < 200
        switch response.body {
        case .bytes(let bytes):
            let count = bytes.count
            connection.writeOutput { out in
                writeHead(response, into: &out, length: response.status == 204 || response.status < 200 ? nil : count)
                if !noBody { out.append(bytes) }
            }
            if !noBody { exchange.bytesSent = count }
            finishResponse()
        case .stream(let produce):
            let chunked = exchange.version == .http1_1
            if !chunked { exchange.keepAlive = false }  // HTTP/1.0: the body ends when the connection does
            connection.writeOutput { out in writeHead(response, into: &out, length: nil, chunked: chunked && !noBody) }
            if noBody {
                finishResponse()
                return
            }
            connection.flush()
            let writer = HTTP1BodyWriter(handler: self, chunked: chunked)
            let loop = connection.loop
            Task {
                var failure: (any Error)?
                do { try await produce(writer) } catch { failure = error }
                let failed = failure != nil
                loop.execute { self.streamFinished(chunked: chunked, failed: failed) }
            }
        }
    }

    /// Status line and headers. `length` nil and `chunked` false: no framing header (204, 1xx, HEAD of
    /// a stream, or an HTTP/1.0 stream that ends at close).
    private func writeHead(_ response: Response, into out: inout ByteBuffer, length: Int?, chunked: Bool = false) {
        out.append(StatusLine.bytes(for: response.status))
        var hasServer = false
        var hasDate = false
        var hasRequestID = false
        for field in response.headers {
            let name = field.name
            switch name.utf8.count {
            case 14 where name.equalsIgnoringASCIICase("content-length"): continue
            case 17 where name.equalsIgnoringASCIICase("transfer-encoding"): continue
            case 10 where name.equalsIgnoringASCIICase("connection"): continue
            case 6 where name.equalsIgnoringASCIICase("server"): hasServer = true
            case 4 where name.equalsIgnoringASCIICase("date"): hasDate = true
            case 12 where name.equalsIgnoringASCIICase("x-request-id"): hasRequestID = true
            default: break
            }
            // A CR or LF in a field would split the response (response splitting): drop the field.
            guard HTTP1Handler.isSafeField(name), HTTP1Handler.isSafeField(field.value) else { continue }
            out.append(name)
            out.append(": " as StaticString)
            out.append(field.value)
            out.append("\r\n" as StaticString)
        }
        if !hasRequestID && !exchange.requestID.isEmpty {
            out.append("X-Request-Id: " as StaticString)
            out.append(exchange.requestID)
            out.append("\r\n" as StaticString)
        }
        if !hasServer { out.append(server.serverHeaderLine) }
        if !hasDate {
            out.append("Date: " as StaticString)
            out.append(connection.loop.httpDate.current())
            out.append("\r\n" as StaticString)
        }
        if let length {
            out.append("Content-Length: " as StaticString)
            out.appendDecimal(length)
            out.append("\r\n" as StaticString)
        } else if chunked {
            out.append("Transfer-Encoding: chunked\r\n" as StaticString)
        }
        if !exchange.keepAlive || shuttingDown {
            out.append("Connection: close\r\n\r\n" as StaticString)
        } else if exchange.version == .http1_0 {
            out.append("Connection: keep-alive\r\n\r\n" as StaticString)
        } else {
            out.append("\r\n" as StaticString)
        }
    }

    static func isSafeField(_ text: String) -> Bool {
        !text.utf8.contains { $0 == 13 || $0 == 10 || $0 == 0 }
    }

    /// Stream writer → loop: frame and queue `bytes`; resume the writer now or when output drains.
    func streamWrite(_ bytes: [UInt8], chunked: Bool, continuation: CheckedContinuation<Void, any Error>) {
        guard connection.state == .open else {
            continuation.resume(throwing: HTTPServerError(code: .connectionClosed, message: "connection closed"))
            return
        }
        if !bytes.isEmpty {
            connection.writeOutput { out in
                if chunked {
                    out.appendHex(bytes.count)
                    out.append("\r\n" as StaticString)
                }
                out.append(bytes)
                if chunked { out.append("\r\n" as StaticString) }
            }
            exchange.bytesSent += bytes.count
            connection.flush()
        }
        if connection.state != .open && connection.state != .closingAfterFlush {
            continuation.resume(throwing: HTTPServerError(code: .connectionClosed, message: "connection closed"))
        } else if connection.isOutputFull {
            blockedWriter = continuation
        } else {
            continuation.resume()
        }
    }

    func streamFinished(chunked: Bool, failed: Bool) {
        guard connection.state == .open else { return }
        if failed {
            // The status is already sent; ending without the last chunk tells the client it is truncated.
            exchange.keepAlive = false
            exchange.status = exchange.status
            logExchange()
            connection.close(.now)
            return
        }
        if chunked { connection.writeOutput { $0.append("0\r\n\r\n" as StaticString) } }
        finishResponse()
    }

    /// The response is queued: log it, then close or go back to reading the next request.
    func finishResponse() {
        logExchange()
        inFlight = false
        requestStarted = false
        if !exchange.keepAlive || shuttingDown || parser.hasFailed {
            connection.close(.afterFlush)
            return
        }
        connection.setDeadline(monotonicNanos() &+ server.configuration.keepAliveTimeout.nanoseconds)
        if inReceive { return }  // answered inline: the running parse loop goes on by itself
        connection.redeliverInput()  // pipelined requests that waited (may answer some inline)
        connection.flush()
        if peerClosed && !inFlight && !requestStarted { connection.close(.afterFlush) }
    }

    /// A fixed problem+json answer for input the parser rejected; the connection closes after it.
    func sendTransportError(_ error: HTTP1ParseError) {
        if !requestStarted { startRequest() }
        exchange.status = error.status
        exchange.keepAlive = false
        let body = ProblemTemplates.body(for: error)
        connection.writeOutput { out in
            out.append(StatusLine.bytes(for: error.status))
            out.append("Content-Type: application/problem+json\r\n" as StaticString)
            out.append(server.serverHeaderLine)
            out.append("Date: " as StaticString)
            out.append(connection.loop.httpDate.current())
            out.append("\r\nContent-Length: " as StaticString)
            out.appendDecimal(body.count)
            out.append("\r\nConnection: close\r\n\r\n" as StaticString)
            out.append(body)
        }
        exchange.bytesSent = body.count
        logExchange()
        inFlight = false
        connection.close(.afterFlush)
    }

    func logExchange() {
        guard server.configuration.accessLog else { return }
        let micros = (monotonicNanos() &- exchange.startNanos) / 1000
        var metadata: Logger.Metadata = [
            "http.method": .string(exchange.method.rawValue),
            "http.path": .string(exchange.path.isEmpty ? "-" : String(exchange.path.prefix(256))),
            "http.status": .stringConvertible(exchange.status),
            "http.bytes": .stringConvertible(exchange.bytesSent),
            "http.duration_ms": .string(String(Double(micros) / 1000)),
            "request.id": .string(exchange.requestID.isEmpty ? "-" : exchange.requestID),
        ]
        metadata.addResponseFields(exchange.logFields)
        server.logger.info("request", metadata: metadata)
    }
}

/// `BodyWriter` for a streamed HTTP/1.1 response: each write hops to the loop and returns once the
/// bytes are queued below the connection's output limit.
struct HTTP1BodyWriter: BodyWriter {
    let handler: HTTP1Handler
    let chunked: Bool

    func write(_ bytes: [UInt8]) async throws {
        let handler = self.handler
        let chunked = self.chunked
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            handler.connection.loop.execute {
                handler.streamWrite(bytes, chunked: chunked, continuation: continuation)
            }
        }
    }
}
