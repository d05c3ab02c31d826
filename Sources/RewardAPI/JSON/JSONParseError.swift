/// Malformed JSON: where (byte offset) and what. Rendered as a 400 by the API's error mapping.
public struct JSONParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public let offset: Int
    public let reason: String
    public var description: String { "malformed JSON at byte \(offset): \(reason)" }
}
