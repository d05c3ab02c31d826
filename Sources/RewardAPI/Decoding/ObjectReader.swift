/// Reads typed fields out of a JSON object and turns every mistake into a 422 whose pointer names
/// the field, so DTO decoding reads like a schema and never needs `Codable`'s opaque errors.
struct ObjectReader {
    let object: JSONObject
    let pointer: String

    init(_ value: JSONValue, at pointer: String) throws(Problem) {
        guard case .object(let o) = value else {
            throw Problem.validation(pointer: pointer, "expected an object, got \(value.kindDescription)")
        }
        object = o
        self.pointer = pointer
    }

    func path(_ key: String) -> String { pointer + "/" + JSONPointer.escape(key) }

    /// Unknown members are errors: a typo such as `"itmes"` must not silently mean "no items".
    func allowOnly(_ keys: Set<String>) throws(Problem) {
        for m in object.members where !keys.contains(m.key) {
            throw Problem.validation(pointer: path(m.key), "unknown field \"\(m.key)\"")
        }
    }

    /// A short list compared linearly: no set to build or hash per object (hot on NDJSON lines).
    func allowOnly(_ keys: [String]) throws(Problem) {
        for m in object.members where !keys.contains(m.key) {
            throw Problem.validation(pointer: path(m.key), "unknown field \"\(m.key)\"")
        }
    }

    func has(_ key: String) -> Bool {
        if case .null? = object[key] { return false }
        return object[key] != nil
    }

    func value(_ key: String) -> JSONValue? {
        if case .null? = object[key] { return nil }
        return object[key]
    }

    func string(_ key: String, maxBytes: Int = 256, allowEmpty: Bool = false) throws(Problem) -> String? {
        guard let v = value(key) else { return nil }
        guard case .string(let s) = v else {
            throw Problem.validation(pointer: path(key), "expected a string, got \(v.kindDescription)")
        }
        if !allowEmpty && s.isEmpty { throw Problem.validation(pointer: path(key), "must not be empty") }
        if s.utf8.count > maxBytes { throw Problem.validation(pointer: path(key), "longer than \(maxBytes) bytes") }
        return s
    }

    /// A string that may be stored as text: PostgreSQL text cannot hold NUL, and no label means
    /// anything by one, so it is refused here, with a pointer, for every route alike.
    func text(_ key: String, maxBytes: Int = 256) throws(Problem) -> String? {
        guard let s = try string(key, maxBytes: maxBytes) else { return nil }
        try Self.refuseNUL(s, at: path(key))
        return s
    }

    static func refuseNUL(_ s: String, at pointer: String) throws(Problem) {
        if s.utf8.contains(0) { throw Problem.validation(pointer: pointer, "must not contain NUL (U+0000)") }
    }

    func requiredString(_ key: String, maxBytes: Int = 256) throws(Problem) -> String {
        guard let s = try string(key, maxBytes: maxBytes) else { throw missing(key) }
        return s
    }

    func bool(_ key: String) throws(Problem) -> Bool? {
        guard let v = value(key) else { return nil }
        guard case .bool(let b) = v else {
            throw Problem.validation(pointer: path(key), "expected true or false, got \(v.kindDescription)")
        }
        return b
    }

    func double(_ key: String, in range: ClosedRange<Double>? = nil, openUpper: Double? = nil, openLower: Double? = nil)
        throws(Problem) -> Double?
    {
        guard let v = value(key) else { return nil }
        guard case .number(let d) = v, d.isFinite else {
            throw Problem.validation(pointer: path(key), "expected a finite number, got \(v.kindDescription)")
        }
        if let range, !range.contains(d) {
            throw Problem.validation(pointer: path(key), "must be in [\(range.lowerBound), \(range.upperBound)]")
        }
        if let openUpper, d >= openUpper { throw Problem.validation(pointer: path(key), "must be < \(openUpper)") }
        if let openLower, d <= openLower { throw Problem.validation(pointer: path(key), "must be > \(openLower)") }
        return d
    }

    func int(_ key: String, in range: ClosedRange<Int>) throws(Problem) -> Int? {
        guard let v = value(key) else { return nil }
        guard case .number(let d) = v, d.isFinite, d == d.rounded(), let i = Int(exactly: d) else {
            throw Problem.validation(pointer: path(key), "expected an integer, got \(v.kindDescription)")
        }
        guard range.contains(i) else {
            throw Problem.validation(pointer: path(key), "must be in [\(range.lowerBound), \(range.upperBound)]")
        }
        return i
    }

    /// The elements of an array field with their pointers, bounded in count.
    func array(_ key: String, count range: ClosedRange<Int>) throws(Problem) -> [(value: JSONValue, pointer: String)]? {
        guard let v = value(key) else { return nil }
        let base = path(key)
        let elements: [JSONValue]
        switch v {
        case .array(let a): elements = a
        case .numbers(let n): elements = Array(repeating: .number(0), count: n.count)  // wrong type, reported below
        default: throw Problem.validation(pointer: base, "expected an array, got \(v.kindDescription)")
        }
        guard range.contains(elements.count) else {
            throw Problem.validation(
                pointer: base, "expected \(range.lowerBound)…\(range.upperBound) elements, got \(elements.count)")
        }
        return elements.enumerated().map { ($0.element, base + "/\($0.offset)") }
    }

    func missing(_ key: String) -> Problem { Problem.validation(pointer: path(key), "required field \"\(key)\" is missing") }
}

enum JSONPointer {
    /// RFC 6901: `~` → `~0`, `/` → `~1`.
    static func escape(_ token: String) -> String {
        // A byte scan: `String.contains(String)` goes through Foundation's locale-aware search.
        guard token.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else { return token }
        var out = ""
        for c in token {
            switch c {
            case "~": out += "~0"
            case "/": out += "~1"
            default: out.append(c)
            }
        }
        return out
    }
}
