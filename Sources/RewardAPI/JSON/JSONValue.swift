/// A parsed JSON document. Arrays made only of numbers are kept as `JSONNumberList` — a view of
/// their source text converted on demand — because feature vectors dominate request bodies and
/// must be converted straight to `Float` with correct rounding, not through `Double`.
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case numbers(JSONNumberList)
    case object(JSONObject)

    /// A short name for error messages ("an array", "a string" …).
    public var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array, .numbers: "an array"
        case .object: "an object"
        }
    }
}

/// Object members in source order. Duplicate keys are rejected by the parser, so lookups are
/// unambiguous.
public struct JSONObject: Sendable {
    public private(set) var members: [(key: String, value: JSONValue)]

    init(members: [(key: String, value: JSONValue)]) { self.members = members }

    public subscript(key: String) -> JSONValue? {
        for m in members where m.key == key { return m.value }
        return nil
    }

    public var keys: [String] { members.map(\.key) }
}
