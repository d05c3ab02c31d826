/// Per-stream state of an HTTP/2 connection: the request as its headers arrive, its body
/// source, and the response body waiting to go out as DATA frames. Lives on the connection thread.
final class HTTP2Stream {
    let id: Int32

    // MARK: request
    var method: String?
    var path: String?
    var authority: String?
    var scheme: String?
    var headers = HTTPHeaders(minimumCapacity: 10)
    var cookies: [String] = []
    /// RFC 9113 §6.5.2 size (name + value + 32 per field) of the header list so far.
    var headerListSize = 0
    /// Set when the request is refused by the transport itself (431, 413): the responder never runs.
    var rejectedStatus: Int?
    var declaredContentLength: Int?
    var receivedBodyBytes = 0
    /// Body limit for this request (the configuration's, or `bodyLimit`'s decision).
    var bodyLimit = Int.max
    var requestID: String?
    var requestEnded = false
    var body: HTTP2RequestBodySource?
    /// The request, built when its HEADERS ended, waiting for the end of the current read
    /// (`HTTP2Connection.dispatchPending`) so DATA that arrived in the same read goes with it.
    var pendingRequest: Request?
    /// DATA received before dispatch; a body complete by then reaches the responder buffered.
    var earlyBody: [UInt8] = []

    // MARK: response
    var responseSubmitted = false
    var isHeadRequest: Bool { method == "HEAD" }
    /// Bytes of the response body not yet handed to nghttp2, starting at `outgoingOffset`.
    var outgoing: [UInt8] = []
    var outgoingOffset = 0
    /// The whole response body is in `outgoing` (the producer finished).
    var outgoingComplete = false
    /// nghttp2 asked for data while `outgoing` was empty; it needs `resume_data` when more arrives.
    var isDeferred = false
    /// Streamed-body writers suspended until `outgoing` drains below the high-water mark.
    var suspendedWriters: [CheckedContinuation<Void, any Error>] = []
    /// The responder (then the body producer); cancelled when the stream closes early.
    var responderHandle: ResponderHandle?

    // MARK: access log
    let startNanos = monotonicNanos()
    var responseStatus = 0
    var bodyBytesSent = 0
    var logFields: [(String, String)] = []

    init(id: Int32) { self.id = id }

    var pendingOutgoing: Int { outgoing.count - outgoingOffset }

    func appendOutgoing(_ bytes: [UInt8]) {
        if outgoingOffset > 0 && outgoingOffset >= outgoing.count / 2 {
            outgoing.removeFirst(outgoingOffset)
            outgoingOffset = 0
        }
        outgoing.append(contentsOf: bytes)
    }
}
