import CNGHTTP2

/// Graceful shutdown and the HTTP/1.1 `Upgrade: h2c` start.
extension HTTP2Connection {
    /// Phase one (RFC 9113 §6.8): a GOAWAY with the maximum stream id tells the peer to stop
    /// opening streams, and a PING measures when it has seen that. Its ACK triggers phase two.
    func beginGracefulShutdown() {
        guard shutdownState == .running else { return }
        _ = nghttp2_submit_shutdown_notice(session)
        var payload: [UInt8] = Array("shutdown".utf8)
        _ = nghttp2_submit_ping(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), &payload)
        shutdownState = .noticeSent
    }

    /// Phase two: GOAWAY with the last stream this connection processed. Streams up to it run
    /// to completion; the connection is finished when they have. Called on the PING ACK, or by
    /// the shell's timer if the peer never answers.
    func finishGracefulShutdown() {
        guard shutdownState != .goAwaySent else { return }
        if shutdownState == .running { _ = nghttp2_submit_shutdown_notice(session) }
        let last = nghttp2_session_get_last_proc_stream_id(session)
        _ = nghttp2_submit_goaway(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), last, NGHTTP2_NO_ERROR.rawValue, nil, 0)
        shutdownState = .goAwaySent
    }

    /// Starts the connection after `101 Switching Protocols` (RFC 7540 §3.2): the client's
    /// `HTTP2-Settings` apply as if sent in SETTINGS, and `request` (already read over
    /// HTTP/1.1, without a body) becomes stream 1, answered over HTTP/2.
    func startUpgraded(http2Settings: String, request: Request) throws {
        guard let payload = HTTP2Upgrade.decodeSettings(http2Settings) else {
            throw HTTP2Error(code: NGHTTP2_ERR_INVALID_ARGUMENT.rawValue)
        }
        let isHead = request.method == .head ? Int32(1) : 0
        let rv = payload.withUnsafeBufferPointer {
            nghttp2_session_upgrade2(session, $0.baseAddress, $0.count, isHead, nil)
        }
        guard rv == 0 else { throw HTTP2Error(code: rv) }
        try start()
        let stream = HTTP2Stream(id: 1)
        stream.method = request.method.rawValue
        stream.path = request.target
        stream.requestEnded = true
        streams[1] = stream
        var request = request
        stream.requestID = assignRequestID?(&request.headers)
        run(request, on: stream)
    }
}

/// Helpers for choosing HTTP/2 on a plaintext connection.
public enum HTTP2Upgrade {
    /// The client connection preface every HTTP/2 connection starts with (RFC 9113 §3.4).
    public static let preface: [UInt8] = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    public enum PrefaceMatch: Equatable { case http2, notHTTP2, needMoreBytes }

    /// Whether the first bytes of a connection are the HTTP/2 preface (prior knowledge, as
    /// `curl --http2-prior-knowledge` and h2load send it). Decides on the first differing byte.
    public static func matchPreface(_ bytes: some Collection<UInt8>) -> PrefaceMatch {
        for (index, byte) in zip(preface.indices, bytes) where byte != preface[index] { return .notHTTP2 }
        return bytes.count >= preface.count ? .http2 : .needMoreBytes
    }

    /// Decodes the `HTTP2-Settings` header: base64url without padding (RFC 7540 §3.2.1).
    public static func decodeSettings(_ value: String) -> [UInt8]? {
        var bits: UInt32 = 0
        var bitCount = 0
        var out: [UInt8] = []
        for c in value.utf8 {
            let v: UInt8
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = c - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): v = c - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - UInt8(ascii: "0") + 52
            case UInt8(ascii: "-"), UInt8(ascii: "+"): v = 62
            case UInt8(ascii: "_"), UInt8(ascii: "/"): v = 63
            case UInt8(ascii: "="), UInt8(ascii: " "), UInt8(ascii: "\t"): continue
            default: return nil
            }
            bits = bits << 6 | UInt32(v)
            bitCount += 6
            if bitCount >= 8 {
                bitCount -= 8
                out.append(UInt8(truncatingIfNeeded: bits >> UInt32(bitCount)))
            }
        }
        // A SETTINGS payload is a whole number of 6-byte entries.
        return out.count % 6 == 0 ? out : nil
    }
}
