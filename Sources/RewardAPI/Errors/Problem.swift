import HTTPServer

/// An RFC 9457 problem detail, the body of every error response.
public struct Problem: Error, Sendable, Equatable {
    public struct FieldError: Sendable, Equatable {
        /// JSON Pointer (RFC 6901) into the request body, e.g. `/items/3/features`.
        public var pointer: String
        public var message: String
        public init(pointer: String, message: String) {
            self.pointer = pointer
            self.message = message
        }
    }

    public var status: Int
    public var title: String
    public var detail: String?
    public var errors: [FieldError]
    /// Extra response headers (`Allow` for 405, `Retry-After` for 429/503).
    public var headers: HTTPHeaders

    public init(status: Int, title: String, detail: String? = nil, errors: [FieldError] = [], headers: HTTPHeaders = [:]) {
        self.status = status
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers
    }

    /// A stable, documented type URI per status (relative, resolved against the service).
    public var type: String { "/problems/\(Self.slug(status))" }

    public func render() -> [UInt8] {
        var w = JSONWriter(capacity: 256)
        w.objectStart()
        w.field("type", type)
        w.field("title", title)
        w.field("status", status)
        if let detail { w.field("detail", detail) }
        if !errors.isEmpty {
            w.key("errors")
            w.arrayStart()
            for e in errors {
                w.objectStart()
                w.field("pointer", e.pointer)
                w.field("message", e.message)
                w.objectEnd()
            }
            w.arrayEnd()
        }
        w.objectEnd()
        return w.bytes
    }

    public func response() -> Response {
        var h = headers
        h.replace("Content-Type", "application/problem+json")
        return Response(status: status, headers: h, body: .bytes(render()))
    }

    static func slug(_ status: Int) -> String {
        switch status {
        case 400: "malformed-request"
        case 401: "unauthorized"
        case 403: "forbidden"
        case 404: "not-found"
        case 405: "method-not-allowed"
        case 409: "conflict"
        case 413: "payload-too-large"
        case 415: "unsupported-media-type"
        case 422: "validation-failed"
        case 429: "overloaded"
        case 503: "unavailable"
        default: "error-\(status)"
        }
    }
}

extension Problem {
    public static func validation(_ errors: [FieldError], detail: String? = nil) -> Problem {
        Problem(status: 422, title: "Request validation failed", detail: detail ?? errors.first?.message, errors: errors)
    }

    public static func validation(pointer: String, _ message: String) -> Problem {
        validation([FieldError(pointer: pointer, message: message)])
    }

    public static func malformed(_ detail: String) -> Problem {
        Problem(status: 400, title: "Malformed request", detail: detail)
    }

    public static func notFound(_ detail: String) -> Problem { Problem(status: 404, title: "Not found", detail: detail) }
}
