/// What a `Responder` returns. The transport adds `Date`, `Server`, `Content-Length` or chunking
/// (HTTP/1.1) / DATA framing (HTTP/2); the responder sets status, headers and the body.
public struct Response: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: ResponseBody
    /// Extra fields for the access-log line (e.g. who was authenticated); never sent to the peer.
    public var logFields: [(String, String)] = []

    public init(status: Int, headers: HTTPHeaders = [:], body: ResponseBody = .empty) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

public enum ResponseBody: Sendable {
    /// A complete body, sent with `Content-Length`.
    case bytes([UInt8])
    /// A body produced while it is sent (chunked on HTTP/1.1, DATA frames on HTTP/2). The closure
    /// writes through the `BodyWriter`, which suspends while the peer is slow (backpressure).
    case stream(@Sendable (any BodyWriter) async throws -> Void)

    public static let empty = ResponseBody.bytes([])
}

/// Sink for a streamed response body. `write` returns once the bytes are queued below the
/// connection's output limit, so a producer can never outrun a slow client.
public protocol BodyWriter: Sendable {
    func write(_ bytes: [UInt8]) async throws
}

/// The whole contract between the transport and the application.
public protocol Responder: Sendable {
    func respond(to request: Request) async -> Response
}

/// A `Responder` from a closure, for tests and small servers.
public struct ClosureResponder: Responder {
    private let body: @Sendable (Request) async -> Response
    public init(_ body: @escaping @Sendable (Request) async -> Response) { self.body = body }
    public func respond(to request: Request) async -> Response { await body(request) }
}
