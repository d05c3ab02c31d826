/// Fixed application/problem+json bodies (RFC 9457) for errors the transport answers itself. The API
/// layer renders every other problem; this is the only JSON the transport writes.
enum ProblemTemplates {
    static func body(for error: HTTP1ParseError) -> [UInt8] {
        let status = error.status
        let title = StatusLine.reasonPhrase(status)
        let text = "{\"type\":\"about:blank\",\"title\":\"\(title)\",\"status\":\(status),\"detail\":\"\(error.detail)\"}"
        return Array(text.utf8)
    }
}
