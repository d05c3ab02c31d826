import CNGHTTP2

/// Outgoing responses: HEADERS from a `Response`, its body as DATA under flow control.
extension HTTP2Connection {
    /// Connection-specific fields have no meaning in HTTP/2 and make clients reject the
    /// response (RFC 9113 §8.2.2), so they are dropped here rather than trusted to the responder.
    /// `name` is lower case.
    static func isConnectionSpecific(_ name: String) -> Bool {
        switch name {
        case "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade": true
        default: false
        }
    }

    func submitResponse(_ streamID: Int32, _ response: Response) {
        guard let stream = streams[streamID], !stream.responseSubmitted else { return }
        stream.responseSubmitted = true
        stream.logFields = response.logFields
        // An informational status is not a final response; it would leave the stream hanging.
        let status = response.status < 200 || response.status > 999 ? 500 : response.status
        let noBody = stream.isHeadRequest || status == 204 || status == 304
        var headers = response.headers
        switch response.body {
        case .bytes(let bytes):
            stream.responderHandle = nil  // it has finished: closing the stream has nothing to cancel
            if status != 204 && status != 304 && !headers.contains("content-length") {
                headers.add("content-length", String(bytes.count))
            }
            if noBody || bytes.isEmpty {
                submitHeaders(stream, status: status, headers: headers, withBody: false)
            } else {
                stream.outgoing = bytes
                stream.outgoingComplete = true
                submitHeaders(stream, status: status, headers: headers, withBody: true)
            }
        case .stream(let produce):
            submitHeaders(stream, status: status, headers: headers, withBody: !noBody)
            if !noBody { startProducer(produce, on: stream) }
        }
    }

    /// A response the transport makes itself (413, 431): no body, and the responder never runs.
    func submitTransportError(_ stream: HTTP2Stream, status: Int) {
        guard !stream.responseSubmitted else { return }
        stream.responseSubmitted = true
        submitHeaders(stream, status: status, headers: ["content-length": "0"], withBody: false)
    }

    private func startProducer(_ produce: @escaping @Sendable (any BodyWriter) async throws -> Void, on stream: HTTP2Stream) {
        let writer = HTTP2BodyWriter(connection: self, streamID: stream.id)
        let streamID = stream.id
        let handle = ResponderHandle()
        stream.responderHandle = handle
        Task { [self] in
            await handle.run {
                do {
                    try await produce(writer)
                    self.hop { $0.finishResponseBody(streamID) }
                } catch {
                    self.hop { $0.failResponseBody(streamID) }
                }
            }
        }
    }

    private func submitHeaders(_ stream: HTTP2Stream, status: Int, headers: HTTPHeaders, withBody: Bool) {
        stream.responseStatus = status
        var fields: [(String, String)] = []
        fields.reserveCapacity(headers.count + 4)
        fields.append((":status", String(status)))
        for (name, value) in headers {
            let lower = name.utf8.contains(where: { $0 >= 65 && $0 <= 90 }) ? name.lowercased() : name
            if !Self.isConnectionSpecific(lower) { fields.append((lower, value)) }
        }
        if let id = stream.requestID, !headers.contains("x-request-id") { fields.append(("x-request-id", id)) }
        if let responseDate, !headers.contains("date") { fields.append(("date", responseDate())) }
        if let serverName, !headers.contains("server") { fields.append(("server", serverName)) }
        var provider = nghttp2_data_provider(source: nghttp2_data_source(ptr: nil), read_callback: HTTP2Callbacks.readBody)
        let rv = HTTP2HeaderBlock.withNameValues(fields) { nva in
            withBody
                ? nghttp2_submit_response(session, stream.id, nva.baseAddress, nva.count, &provider)
                : nghttp2_submit_response(session, stream.id, nva.baseAddress, nva.count, nil)
        }
        if rv != 0 { resetStream(stream.id, NGHTTP2_INTERNAL_ERROR) }
    }

    func resetStream(_ streamID: Int32, _ code: nghttp2_error_code) {
        _ = nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), streamID, code.rawValue)
    }

    /// nghttp2 pulls the next DATA payload (inside `produceOutput`).
    func readResponseBody(
        _ streamID: Int32, into buffer: UnsafeMutablePointer<UInt8>, capacity: Int, flags: UnsafeMutablePointer<UInt32>
    ) -> Int {
        guard let stream = streams[streamID] else { return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue) }
        let count = min(capacity, stream.pendingOutgoing)
        if count > 0 {
            stream.outgoing.withUnsafeBufferPointer { source in
                buffer.update(from: source.baseAddress! + stream.outgoingOffset, count: count)
            }
            stream.outgoingOffset += count
            stream.bodyBytesSent += count
        }
        if stream.pendingOutgoing == 0 {
            if stream.outgoingComplete {
                flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue
                stream.outgoing = []
                stream.outgoingOffset = 0
            } else if count == 0 {
                stream.isDeferred = true
                return Int(NGHTTP2_ERR_DEFERRED.rawValue)
            }
        }
        if !stream.suspendedWriters.isEmpty && stream.pendingOutgoing < configuration.streamOutputHighWater {
            let writers = stream.suspendedWriters
            stream.suspendedWriters = []
            for writer in writers { writer.resume() }
        }
        return count
    }

    /// A streamed body's `write` arrived on the connection thread.
    func appendResponseData(_ streamID: Int32, _ bytes: [UInt8], _ writer: CheckedContinuation<Void, any Error>) {
        guard let stream = streams[streamID], !stream.outgoingComplete else {
            writer.resume(throwing: HTTP2Error.streamClosed)
            return
        }
        stream.appendOutgoing(bytes)
        resumeIfDeferred(stream)
        if stream.pendingOutgoing > configuration.streamOutputHighWater {
            stream.suspendedWriters.append(writer)
        } else {
            writer.resume()
        }
    }

    func finishResponseBody(_ streamID: Int32) {
        guard let stream = streams[streamID] else { return }
        stream.outgoingComplete = true
        resumeIfDeferred(stream)
    }

    /// The producer threw: the body is incomplete, so the stream is reset rather than ended.
    func failResponseBody(_ streamID: Int32) {
        guard streams[streamID] != nil else { return }
        resetStream(streamID, NGHTTP2_INTERNAL_ERROR)
    }

    private func resumeIfDeferred(_ stream: HTTP2Stream) {
        guard stream.isDeferred else { return }
        stream.isDeferred = false
        _ = nghttp2_session_resume_data(session, stream.id)
    }
}

/// `BodyWriter` for a streamed HTTP/2 response: each write hops to the connection thread and
/// returns once the stream's unsent bytes are below the high-water mark.
struct HTTP2BodyWriter: BodyWriter {
    let connection: HTTP2Connection
    let streamID: Int32

    func write(_ bytes: [UInt8]) async throws {
        guard !bytes.isEmpty else { return }
        try await withCheckedThrowingContinuation { (writer: CheckedContinuation<Void, any Error>) in
            connection.hop { [streamID] in $0.appendResponseData(streamID, bytes, writer) }
        }
    }
}
