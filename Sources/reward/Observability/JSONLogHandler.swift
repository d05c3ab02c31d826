#if canImport(Glibc)
import Glibc
#endif
import Logging
import Locking

/// One JSON object per line on stderr: `{"ts","level","label","msg","metadata":{…}}`, for log
/// collectors (Loki, Elasticsearch, CloudWatch) that parse lines without a grammar.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    /// Where lines go (stderr in the service, a buffer in tests).
    let sink: @Sendable ([UInt8]) -> Void

    init(label: String, metadataProvider: Logger.MetadataProvider? = nil, sink: @escaping @Sendable ([UInt8]) -> Void = JSONLogHandler.standardError) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.sink = sink
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        if let error = event.error, merged["error"] == nil { merged["error"] = .string("\(error)") }
        sink(Self.line(timestamp: Self.now(), level: event.level, label: label, message: "\(event.message)", metadata: merged))
    }

    /// The encoded line, newline included. Metadata keys are sorted so lines are stable.
    static func line(timestamp: String, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128 + message.utf8.count)
        out.append(contentsOf: #"{"ts":"#.utf8)
        appendString(timestamp, to: &out)
        out.append(contentsOf: #","level":"#.utf8)
        appendString(level.rawValue, to: &out)
        out.append(contentsOf: #","label":"#.utf8)
        appendString(label, to: &out)
        out.append(contentsOf: #","msg":"#.utf8)
        appendString(message, to: &out)
        if !metadata.isEmpty {
            out.append(contentsOf: #","metadata":"#.utf8)
            appendValue(.dictionary(metadata), to: &out)
        }
        out.append(contentsOf: "}\n".utf8)
        return out
    }

    private static func appendValue(_ value: Logger.Metadata.Value, to out: inout [UInt8]) {
        switch value {
        case .string(let s): appendString(s, to: &out)
        case .stringConvertible(let c): appendString(c.description, to: &out)
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (i, v) in values.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                appendValue(v, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .dictionary(let entries):
            out.append(UInt8(ascii: "{"))
            for (i, key) in entries.keys.sorted().enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                appendString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                appendValue(entries[key]!, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// A JSON string literal (RFC 8259 escapes; control characters as \u00XX).
    static func appendString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for c in s.utf8 {
            switch c {
            case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
            case 0x0A: out.append(contentsOf: #"\n"#.utf8)
            case 0x0D: out.append(contentsOf: #"\r"#.utf8)
            case 0x09: out.append(contentsOf: #"\t"#.utf8)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: #"\u00"#.utf8)
                out.append(hex[Int(c >> 4)])
                out.append(hex[Int(c & 0xF)])
            default: out.append(c)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// UTC, millisecond precision: `2026-11-29T05:01:02.345Z`.
    static func now() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var parts = tm()
        var seconds = ts.tv_sec
        gmtime_r(&seconds, &parts)
        func pad(_ v: Int32, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(ts.tv_nsec / 1_000_000), 3))Z"
    }

    private static let writeLock = Locked(())

    /// One write(2) per line under a lock, so lines from different threads never interleave.
    static let standardError: @Sendable ([UInt8]) -> Void = { line in
        writeLock.withLock { _ in
            line.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = write(2, raw.baseAddress! + offset, raw.count - offset)
                    if n < 0 { if errno == EINTR { continue } else { return } }
                    offset += n
                }
            }
        }
    }
}
