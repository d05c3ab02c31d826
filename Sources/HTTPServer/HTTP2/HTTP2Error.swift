import CNGHTTP2

/// An HTTP/2 failure: an nghttp2 return code with its message, or a stream the peer reset
/// (a streamed response's `BodyWriter.write` throws this so the producer stops).
public struct HTTP2Error: Error, Sendable, Equatable, CustomStringConvertible {
    /// The negative nghttp2 error code (`nghttp2_error`), or 0 for `streamClosed`.
    public let code: Int32
    public let message: String

    init(code: Int32) {
        self.code = code
        self.message = String(cString: nghttp2_strerror(code))
    }

    private init(message: String) {
        code = 0
        self.message = message
    }

    /// The stream ended (reset by the peer, or the connection closed) before the body was written.
    public static let streamClosed = HTTP2Error(message: "the HTTP/2 stream was closed")

    public var description: String { code == 0 ? message : "\(message) (nghttp2 \(code))" }
}
