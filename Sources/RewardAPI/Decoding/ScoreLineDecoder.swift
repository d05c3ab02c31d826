#if canImport(Glibc)
import Glibc
#endif
import RewardService

/// The common score request — an NDJSON line or a `/v1/score` body —
/// `{"head":…,"user":…,"items":[{"features_b64":…}|{"features":[…]},…]}`, recognised straight from its bytes: no `JSONValue` tree, no copy of the base64 text, numbers
/// validated and converted in one pass. Anything else — another field, an escape, a non-ASCII id,
/// `null`, a value the generic path would reject — returns nil, and the request goes through
/// `JSONParser` + `ScoringDTO` as before, so errors (and every answer) stay exactly the same.
/// Only lines the generic path accepts unchanged take this path.
struct ScoreLineDecoder {
    let tenant: String
    /// The last head name and user id: consecutive lines usually repeat them (no String per line).
    private var lastHead: (bytes: [UInt8], value: String)?
    private var lastUser: (bytes: [UInt8], value: String)?

    init(tenant: String) { self.tenant = tenant }

    /// The query, or nil when the line needs the generic parser.
    mutating func decode(_ line: UnsafeBufferPointer<UInt8>) -> ScoreQuery? {
        var c = Cursor(p: line)
        var head: String?
        var user: String?
        var items: [Item]?
        c.skipSpace()
        guard c.take(UInt8(ascii: "{")) else { return nil }
        repeat {
            c.skipSpace()
            guard let key = c.plainString() else { return nil }
            c.skipSpace()
            guard c.take(UInt8(ascii: ":")) else { return nil }
            c.skipSpace()
            switch Field(key, in: line) {
            case .head:
                guard head == nil, let bytes = c.idString() else { return nil }
                head = Self.string(bytes, cache: &lastHead)
            case .user:
                guard user == nil, let bytes = c.idString() else { return nil }
                user = Self.string(bytes, cache: &lastUser)
            case .items:
                guard items == nil, let list = c.items() else { return nil }
                items = list
            case .other:
                return nil
            }
            c.skipSpace()
        } while c.take(UInt8(ascii: ","))
        guard c.take(UInt8(ascii: "}")) else { return nil }
        c.skipSpace()
        guard c.atEnd, let items else { return nil }
        return ScoreQuery(head: head, user: user.map { .stored(tenant: tenant, id: $0) } ?? .population, items: items)
    }

    private enum Field {
        case head, user, items, other

        init(_ r: Range<Int>, in p: UnsafeBufferPointer<UInt8>) {
            let k = UnsafeBufferPointer(rebasing: p[r])
            if k.elementsEqual("head".utf8) { self = .head }
            else if k.elementsEqual("user".utf8) { self = .user }
            else if k.elementsEqual("items".utf8) { self = .items }
            else { self = .other }
        }
    }

    private static func string(_ bytes: UnsafeBufferPointer<UInt8>, cache: inout (bytes: [UInt8], value: String)?) -> String {
        if let cached = cache, cached.bytes.elementsEqual(bytes) { return cached.value }
        let value = String(decoding: bytes, as: UTF8.self)
        cache = (Array(bytes), value)
        return value
    }
}

/// A read position in one line.
private struct Cursor {
    let p: UnsafeBufferPointer<UInt8>
    var i = 0

    init(p: UnsafeBufferPointer<UInt8>) { self.p = p }

    var atEnd: Bool { i == p.count }

    mutating func skipSpace() {
        while i < p.count, p[i] == 0x20 || p[i] == 0x09 || p[i] == 0x0D || p[i] == 0x0A { i += 1 }
    }

    mutating func take(_ byte: UInt8) -> Bool {
        guard i < p.count, p[i] == byte else { return false }
        i += 1
        return true
    }

    /// A string of printable ASCII without escapes (keys, head names, user ids); its content range.
    mutating func plainString() -> Range<Int>? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = i
        while i < p.count {
            let b = p[i]
            if b == UInt8(ascii: "\"") {
                i += 1
                return start ..< i - 1
            }
            // Escapes, control characters, DEL and non-ASCII: the generic path decides.
            guard b >= 0x20, b < 0x7F, b != UInt8(ascii: "\\") else { return nil }
            i += 1
        }
        return nil
    }

    /// A head name or user id as the generic path accepts it unchanged: 1…256 printable ASCII bytes.
    mutating func idString() -> UnsafeBufferPointer<UInt8>? {
        guard let r = plainString(), (1 ... 256).contains(r.count) else { return nil }
        return UnsafeBufferPointer(rebasing: p[r])
    }

    /// `[item, …]` with 1…`ScoringDTO.maxItems` plain feature items.
    mutating func items() -> [Item]? {
        guard take(UInt8(ascii: "[")) else { return nil }
        var out: [Item] = []
        repeat {
            skipSpace()
            guard out.count < ScoringDTO.maxItems, let item = item() else { return nil }
            out.append(item)
            skipSpace()
        } while take(UInt8(ascii: ","))
        guard take(UInt8(ascii: "]")) else { return nil }
        return out
    }

    /// `{"features_b64":"…"}` or `{"features":[n, …]}`, valid and non-empty.
    mutating func item() -> Item? {
        guard take(UInt8(ascii: "{")) else { return nil }
        skipSpace()
        guard let key = plainString() else { return nil }
        skipSpace()
        guard take(UInt8(ascii: ":")) else { return nil }
        skipSpace()
        let k = UnsafeBufferPointer(rebasing: p[key])
        let floats: [Float]?
        if k.elementsEqual("features_b64".utf8) {
            floats = base64()
        } else if k.elementsEqual("features".utf8) {
            floats = numbers()
        } else {
            return nil
        }
        guard let floats else { return nil }
        skipSpace()
        guard take(UInt8(ascii: "}")) else { return nil }
        return .features(floats)
    }

    /// The base64 string decoded in place: the decoder rejects every byte outside the alphabet, so
    /// a string with an escape or a control character fails here and goes the generic way.
    mutating func base64() -> [Float]? {
        guard take(UInt8(ascii: "\"")), let base = p.baseAddress,
            let quote = memchr(base + i, Int32(UInt8(ascii: "\"")), p.count - i)
        else { return nil }
        let end = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(quote))
        guard end > i, case .success(let floats) = Base64Floats.decode(UnsafeBufferPointer(rebasing: p[i ..< end])),
            !floats.isEmpty
        else { return nil }
        i = end + 1
        return floats
    }

    /// `[n, …]`, each number validated and converted in one pass; nil on anything else or a value
    /// outside Float's range.
    mutating func numbers() -> [Float]? {
        guard take(UInt8(ascii: "[")) else { return nil }
        var out: [Float] = []
        out.reserveCapacity(min(max((p.count - i) / 8, 16), 4096))  // ≈ 8 bytes a number: one growth at most
        repeat {
            skipSpace()
            guard let (value, next) = FloatScanner.scanValidating(p, i, p.count), value.isFinite else { return nil }
            out.append(value)
            i = next
            skipSpace()
        } while take(UInt8(ascii: ","))
        guard take(UInt8(ascii: "]")) else { return nil }
        return out
    }
}
