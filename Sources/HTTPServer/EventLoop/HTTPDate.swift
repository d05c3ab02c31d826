#if canImport(Glibc)
import Glibc
#endif

/// The IMF-fixdate for the `Date` header, formatted once per second per loop (RFC 9110 §5.6.7).
struct HTTPDate {
    private var second: time_t = -1
    private(set) var bytes: [UInt8] = Array(repeating: 0, count: 29)
    /// The same as a `String` (HTTP/2 header fields), so a response does not build one each time.
    private(set) var text = ""

    /// The current date, refreshing the cached text when the second changed.
    mutating func current() -> [UInt8] {
        refresh()
        return bytes
    }

    mutating func currentText() -> String {
        refresh()
        return text
    }

    private mutating func refresh() {
        let now = time(nil)
        if now != second {
            second = now
            bytes = HTTPDate.format(now)
            text = String(decoding: bytes, as: UTF8.self)
        }
    }

    static func format(_ t: time_t) -> [UInt8] {
        var time = t
        var parts = tm()
        gmtime_r(&time, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let text = "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) "
            + "\(parts.tm_year + 1900) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
        return Array(text.utf8)
    }
}
