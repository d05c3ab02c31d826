import Synchronization

/// Request ids for logs: the client's `X-Request-Id` when it is sane, else a fresh one. The id is
/// put into the request headers so the responder logs the same id.
enum RequestID {
    private static let counter = Atomic<UInt64>(0)
    private static let prefix: String = {
        var generator = SystemRandomNumberGenerator()
        return String(UInt32.random(in: 0...UInt32.max, using: &generator), radix: 36)
    }()

    static func adopt(from headers: inout HTTPHeaders) -> String {
        if let given = headers["x-request-id"], isAcceptable(given) { return given }
        let id = next()
        headers.replace("X-Request-Id", id)
        return id
    }

    static func next() -> String {
        let n = counter.add(1, ordering: .relaxed).newValue
        return prefix + "-" + String(n, radix: 36)
    }

    /// 1–128 characters from a conservative set, so the id is safe in logs and headers.
    static func isAcceptable(_ id: String) -> Bool {
        let utf8 = id.utf8
        guard !utf8.isEmpty, utf8.count <= 128 else { return false }
        return utf8.allSatisfy { c in
            (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
                || c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: ".") || c == UInt8(ascii: ":")
        }
    }
}
