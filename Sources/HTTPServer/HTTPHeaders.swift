/// An ordered list of header fields. Names compare case-insensitively; repeated fields are kept
/// in arrival order (RFC 9110 §5.3), so `values(for:)` can see every `Set-Cookie` or `Via`.
public struct HTTPHeaders: Sendable, Sequence, ExpressibleByDictionaryLiteral, Equatable {
    public typealias Element = (name: String, value: String)
    private var fields: [Element] = []

    public init() {}
    public init(minimumCapacity: Int) { fields.reserveCapacity(minimumCapacity) }
    public init(_ fields: [(String, String)]) {
        self.fields.reserveCapacity(fields.count + Self.roomForAddedFields)
        for (name, value) in fields { self.fields.append((name: name, value: value)) }
    }

    /// Responses pick up a few fields after they are built (`Content-Type`, `Server-Timing`,
    /// `X-Request-Id`, CORS): room for them up front saves a reallocation per request.
    private static let roomForAddedFields = 4
    public init(dictionaryLiteral elements: (String, String)...) { self.init(elements) }

    public var count: Int { fields.count }
    public func makeIterator() -> IndexingIterator<[Element]> { fields.makeIterator() }

    /// The first value of `name`, or nil.
    public subscript(name: String) -> String? {
        fields.first { $0.name.equalsIgnoringASCIICase(name) }?.value
    }

    public func values(for name: String) -> [String] {
        fields.filter { $0.name.equalsIgnoringASCIICase(name) }.map(\.value)
    }

    public func contains(_ name: String) -> Bool { self[name] != nil }

    public mutating func add(_ name: String, _ value: String) {
        if fields.capacity == 0 { fields.reserveCapacity(Self.roomForAddedFields) }
        fields.append((name: name, value: value))
    }

    /// Replaces every field called `name` with one field (at the first one's place).
    public mutating func replace(_ name: String, _ value: String) {
        guard let first = fields.firstIndex(where: { $0.name.equalsIgnoringASCIICase(name) }) else {
            add(name, value)
            return
        }
        fields[first] = (name: name, value: value)
        let rest = first + 1
        if fields[rest...].contains(where: { $0.name.equalsIgnoringASCIICase(name) }) {
            var kept = Array(fields[..<rest])
            kept.append(contentsOf: fields[rest...].lazy.filter { !$0.name.equalsIgnoringASCIICase(name) })
            fields = kept
        }
    }

    public mutating func remove(_ name: String) { fields.removeAll { $0.name.equalsIgnoringASCIICase(name) } }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
    }
}

extension String {
    /// ASCII case-insensitive equality: header names are ASCII tokens, so this avoids Unicode folding.
    public func equalsIgnoringASCIICase(_ other: String) -> Bool {
        // O(1) for native strings, and most header names differ in length.
        guard utf8.count == other.utf8.count else { return false }
        var a = self
        var b = other
        return a.withUTF8 { x in
            b.withUTF8 { y in
                for i in 0..<x.count where x[i] != y[i] {
                    let lx = (x[i] >= 65 && x[i] <= 90) ? x[i] | 0x20 : x[i]
                    let ly = (y[i] >= 65 && y[i] <= 90) ? y[i] | 0x20 : y[i]
                    if lx != ly { return false }
                }
                return true
            }
        }
    }
}
