/// A parsed request line and header section, with the framing and connection facts derived from it.
struct RequestHead: Equatable {
    enum Framing: Equatable {
        case none
        case length(Int)
        case chunked
    }

    var method: HTTPMethod
    var target: String
    var version: HTTPVersion
    var headers: HTTPHeaders
    var framing: Framing = .none
    /// Keep-alive after this exchange (1.1 default unless `Connection: close`; 1.0 only with
    /// `Connection: keep-alive`).
    var keepAlive = true
    /// `Expect: 100-continue` on an HTTP/1.1 request.
    var expectsContinue = false
    /// `Upgrade` was requested (the HTTP/2 handler uses this for h2c).
    var upgrade: String?
}
