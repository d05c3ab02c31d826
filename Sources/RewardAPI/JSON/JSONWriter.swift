/// Appends JSON to a byte buffer. Responses are small and regular, so a writer is simpler and much
/// faster than building dictionaries for `JSONSerialization`. Non-finite numbers become `null`
/// (JSON has no NaN), which callers avoid by validating first.
public struct JSONWriter {
    public private(set) var bytes: [UInt8]
    private var needsComma = false

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    // MARK: structure
    public mutating func objectStart() { separator(); bytes.append(UInt8(ascii: "{")); needsComma = false }
    public mutating func objectEnd() { bytes.append(UInt8(ascii: "}")); needsComma = true }
    public mutating func arrayStart() { separator(); bytes.append(UInt8(ascii: "[")); needsComma = false }
    public mutating func arrayEnd() { bytes.append(UInt8(ascii: "]")); needsComma = true }

    public mutating func key(_ k: String) {
        separator()
        appendQuoted(k)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    // MARK: values
    public mutating func string(_ s: String) { separator(); appendQuoted(s); needsComma = true }
    public mutating func null() { separator(); bytes.append(contentsOf: Self.nullBytes); needsComma = true }
    public mutating func bool(_ b: Bool) {
        separator()
        bytes.append(contentsOf: b ? Array("true".utf8) : Array("false".utf8))
        needsComma = true
    }
    public mutating func int(_ i: Int) { separator(); bytes.append(contentsOf: String(i).utf8); needsComma = true }

    /// Shortest representation that round-trips (Swift's `description`).
    public mutating func number(_ d: Double) {
        separator()
        Self.append(d, to: &bytes)
        needsComma = true
    }

    /// The text `number(_:)` writes, for callers that render many results around a shared template.
    static func append(_ d: Double, to bytes: inout [UInt8]) {
        if d.isFinite { bytes.append(contentsOf: d.description.utf8) } else { bytes.append(contentsOf: nullBytes) }
    }

    public mutating func number(_ f: Float) {
        separator()
        if f.isFinite { bytes.append(contentsOf: f.description.utf8) } else { bytes.append(contentsOf: Self.nullBytes) }
        needsComma = true
    }

    public mutating func numbers(_ values: [Float]) {
        arrayStart()
        for v in values { number(v) }
        arrayEnd()
    }

    public mutating func numbers(_ values: [Double]) {
        arrayStart()
        for v in values { number(v) }
        arrayEnd()
    }

    // MARK: convenience
    public mutating func field(_ k: String, _ v: String) { key(k); string(v) }
    public mutating func field(_ k: String, _ v: Int) { key(k); int(v) }
    public mutating func field(_ k: String, _ v: Double) { key(k); number(v) }
    public mutating func field(_ k: String, _ v: Bool) { key(k); bool(v) }

    // MARK: internals
    private static let nullBytes = Array("null".utf8)
    private static let hex = Array("0123456789abcdef".utf8)

    private mutating func separator() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    private mutating func appendQuoted(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        for c in s.utf8 {
            switch c {
            case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\\")); bytes.append(c)
            case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\")); bytes.append(c)
            case 0x0A: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
            case 0 ..< 0x20:
                bytes.append(contentsOf: Array("\\u00".utf8))
                bytes.append(Self.hex[Int(c >> 4)])
                bytes.append(Self.hex[Int(c & 15)])
            default: bytes.append(c)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
