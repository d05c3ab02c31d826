import CNGHTTP2
#if canImport(Glibc)
import Glibc
#endif

/// Incoming frames: request headers become a `Request`, DATA feeds its body source.
extension HTTP2Connection {
    /// Every frame header, before its payload: charges control frames to the flood budget.
    func beginFrame(_ header: nghttp2_frame_hd) -> Int32 {
        let isAck = header.flags & UInt8(NGHTTP2_FLAG_ACK.rawValue) != 0
        switch UInt32(header.type) {
        case NGHTTP2_PING.rawValue where !isAck, NGHTTP2_SETTINGS.rawValue where !isAck, NGHTTP2_PRIORITY.rawValue:
            let now = monotonicNanos()
            let refill = Int((now &- controlTokensUpdated) / 1_000_000_000) * configuration.controlFramesPerSecond
            if refill > 0 {
                controlTokens = min(configuration.controlFrameBurst, controlTokens + refill)
                controlTokensUpdated = now
            }
            guard controlTokens > 0 else {
                headerFlood = true
                return NGHTTP2_ERR_CALLBACK_FAILURE.rawValue
            }
            controlTokens -= 1
        default:
            break
        }
        return 0
    }

    func beginHeaders(_ frame: nghttp2_frame) -> Int32 {
        guard frame.hd.type == UInt8(NGHTTP2_HEADERS.rawValue), frame.headers.cat == NGHTTP2_HCAT_REQUEST else {
            return 0
        }
        streams[frame.hd.stream_id] = HTTP2Stream(id: frame.hd.stream_id)
        return 0
    }

    func header(_ frame: nghttp2_frame, _ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>) -> Int32 {
        guard frame.hd.type == UInt8(NGHTTP2_HEADERS.rawValue), let stream = streams[frame.hd.stream_id] else { return 0 }
        stream.headerListSize += name.count + value.count + 32
        if stream.headerListSize > configuration.maxHeaderListSize {
            if stream.headerListSize > 4 * configuration.maxHeaderListSize {
                headerFlood = true
                return NGHTTP2_ERR_CALLBACK_FAILURE.rawValue
            }
            stream.rejectedStatus = 431
        }
        // Trailers end the body but carry nothing the Request contract has room for.
        guard frame.headers.cat == NGHTTP2_HCAT_REQUEST, stream.rejectedStatus != 431 else { return 0 }
        let valueString = String(decoding: value, as: UTF8.self)
        if name.first == UInt8(ascii: ":") {
            // Compared as bytes: no String per pseudo-header name.
            if Self.bytes(name, equal: ":method") {
                stream.method = valueString
            } else if Self.bytes(name, equal: ":path") {
                stream.path = valueString
            } else if Self.bytes(name, equal: ":authority") {
                stream.authority = valueString
            } else if Self.bytes(name, equal: ":scheme") {
                stream.scheme = valueString
            }  // nghttp2 already rejected unknown pseudo-headers
            return 0
        }
        let nameString = String(decoding: name, as: UTF8.self)
        switch nameString {
        case "cookie":
            // RFC 9113 §8.2.3: split crumbs are joined again for HTTP/1.1 semantics.
            stream.cookies.append(valueString)
        case "content-length":
            stream.declaredContentLength = Int(valueString)
            stream.headers.add(nameString, valueString)
        default:
            stream.headers.add(nameString, valueString)
        }
        return 0
    }

    private static func bytes(_ bytes: UnsafeBufferPointer<UInt8>, equal literal: StaticString) -> Bool {
        bytes.count == literal.utf8CodeUnitCount && memcmp(bytes.baseAddress!, literal.utf8Start, bytes.count) == 0
    }

    func frameReceived(_ frame: nghttp2_frame) -> Int32 {
        let endStream = frame.hd.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0
        switch UInt32(frame.hd.type) {
        case NGHTTP2_HEADERS.rawValue:
            guard let stream = streams[frame.hd.stream_id] else { return 0 }
            if endStream { stream.requestEnded = true }
            if frame.headers.cat == NGHTTP2_HCAT_REQUEST {
                if let status = stream.rejectedStatus {
                    submitTransportError(stream, status: status)
                } else {
                    dispatch(stream)
                }
            } else if endStream {
                stream.body?.finish()
            }
        case NGHTTP2_DATA.rawValue:
            guard endStream, let stream = streams[frame.hd.stream_id] else { return 0 }
            stream.requestEnded = true
            stream.body?.finish()
        case NGHTTP2_PING.rawValue:
            if frame.hd.flags & UInt8(NGHTTP2_FLAG_ACK.rawValue) != 0, shutdownState == .noticeSent {
                finishGracefulShutdown()  // the notice has had a round trip to reach the peer
            }
        default:
            break
        }
        return 0
    }

    func dataReceived(_ streamID: Int32, _ data: UnsafeBufferPointer<UInt8>) -> Int32 {
        if let stream = streams[streamID], stream.pendingRequest != nil, stream.rejectedStatus == nil {
            stream.receivedBodyBytes += data.count
            guard stream.receivedBodyBytes <= stream.bodyLimit else {
                // Refused before the responder ever ran.
                stream.rejectedStatus = 413
                stream.pendingRequest = nil
                _ = nghttp2_session_consume(session, streamID, data.count + stream.earlyBody.count)
                stream.earlyBody = []
                submitTransportError(stream, status: 413)
                return 0
            }
            stream.earlyBody.append(contentsOf: data)
            return 0
        }
        guard let stream = streams[streamID], let body = stream.body, stream.rejectedStatus == nil else {
            // Nobody will read it: give the window back at once so other streams keep flowing.
            _ = nghttp2_session_consume(session, streamID, data.count)
            return 0
        }
        stream.receivedBodyBytes += data.count
        guard stream.receivedBodyBytes <= stream.bodyLimit else {
            stream.rejectedStatus = 413
            let dropped = body.fail(RequestBodyError.tooLarge(limit: stream.bodyLimit))
            _ = nghttp2_session_consume(session, streamID, data.count + dropped)
            // The responder keeps running and sees `tooLarge` from its body; its response is dropped.
            if !stream.responseSubmitted { submitTransportError(stream, status: 413) }
            return 0
        }
        body.append(Array(data))
        return 0
    }

    func streamClosed(_ streamID: Int32, errorCode: UInt32) -> Int32 {
        if let stream = streams.removeValue(forKey: streamID) {
            if stream.responseSubmitted { onStreamFinished?(stream) }
            abort(stream)
        }
        return 0
    }

    func bodyConsumed(_ streamID: Int32, _ count: Int) {
        _ = nghttp2_session_consume(session, streamID, count)
    }

    /// A complete request head: builds the `Request` and applies the body limit now, but runs
    /// the responder only after this read's frames are all processed (`dispatchPending`). A
    /// small body sent with its HEADERS (the common POST) then arrives whole, as a buffered
    /// body: no body stream, no task hops per chunk, and the inline path can answer at once.
    func dispatch(_ stream: HTTP2Stream) {
        // Moved, not copied: the stream has no further use for them.
        var headers = stream.headers
        stream.headers = HTTPHeaders()
        if !stream.cookies.isEmpty { headers.add("cookie", stream.cookies.joined(separator: "; ")) }
        if let authority = stream.authority, !headers.contains("host") { headers.add("host", authority) }
        stream.requestID = assignRequestID?(&headers)
        let method = stream.method ?? "GET"
        let target = method == "CONNECT" ? (stream.authority ?? "") : (stream.path ?? "/")
        let request = Request(
            method: HTTPMethod(rawValue: method), target: target, version: .http2,
            headers: headers, body: .empty, remoteAddress: remoteAddress)
        stream.bodyLimit = configuration.bodyLimit.map { $0(request) ?? Int.max } ?? configuration.maxBodySize
        if let length = stream.declaredContentLength, length > stream.bodyLimit {
            submitTransportError(stream, status: 413)
            return
        }
        stream.pendingRequest = request
        pendingDispatch.append(stream.id)
    }

    /// End of a read: runs the responders of the request heads it completed.
    func dispatchPending() {
        guard !pendingDispatch.isEmpty else { return }
        let ids = pendingDispatch
        pendingDispatch.removeAll(keepingCapacity: true)
        for id in ids {
            guard let stream = streams[id], var request = stream.pendingRequest else { continue }
            stream.pendingRequest = nil
            let early = stream.earlyBody
            stream.earlyBody = []
            if stream.requestEnded {
                // The bytes now belong to the responder: the window reopens at once.
                if !early.isEmpty {
                    _ = nghttp2_session_consume(session, id, early.count)
                    request.body = RequestBody(bytes: early)
                }
            } else {
                let source = HTTP2RequestBodySource(peak: requestBodyPeak, onConsumed: { [self] count in
                    self.hop { $0.bodyConsumed(id, count) }
                })
                if !early.isEmpty { source.append(early) }
                stream.body = source
                request.body = RequestBody(stream: source.asyncStream)
            }
            run(request, on: stream)
        }
    }

    func run(_ request: Request, on stream: HTTP2Stream) {
        let responder = self.responder
        let streamID = stream.id
        let handle = ResponderHandle()
        stream.responderHandle = handle
        if let inline = inlineResponder, inline(request) {
            // As in HTTP/1.1: runs here on the loop until its first suspension, so a responder that
            // never suspends answers without a thread hop (its HEADERS go out with this read's batch).
            Task.immediate { [self] in
                await handle.run {
                    let response = await responder.respond(to: request)
                    if self.isOnConnectionThread() { self.submitResponse(streamID, response) } else {
                        self.hop { $0.submitResponse(streamID, response) }
                    }
                }
            }
            return
        }
        Task { [self] in
            await handle.run {
                let response = await responder.respond(to: request)
                self.hop { $0.submitResponse(streamID, response) }
            }
        }
    }
}
