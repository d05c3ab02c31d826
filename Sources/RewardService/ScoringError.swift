/// The domain's one error type. `RewardAPI` maps each code to an HTTP status in one switch.
public struct ScoringError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case invalidInput, headNotFound, userNotFound, notFound, conflict, historyMismatch, overloaded,
                unavailable, timeout, encoderMissing, unsupported, `internal`
        }
        private let base: Base
        public var description: String { base.rawValue }

        public static let invalidInput = Code(base: .invalidInput)
        public static let headNotFound = Code(base: .headNotFound)
        public static let userNotFound = Code(base: .userNotFound)
        public static let notFound = Code(base: .notFound)
        public static let conflict = Code(base: .conflict)
        /// The user's stored history cannot feed this head (a head that needs prompts, labels without one).
        public static let historyMismatch = Code(base: .historyMismatch)
        public static let overloaded = Code(base: .overloaded)
        public static let unavailable = Code(base: .unavailable)
        public static let timeout = Code(base: .timeout)
        public static let encoderMissing = Code(base: .encoderMissing)
        public static let unsupported = Code(base: .unsupported)
        public static let `internal` = Code(base: .internal)
    }

    public let code: Code
    public let message: String
    /// JSON Pointer of the offending request field, when the error is about one.
    public var pointer: String?

    public init(_ code: Code, _ message: String, pointer: String? = nil) {
        self.code = code
        self.message = message
        self.pointer = pointer
    }

    public var description: String { "\(code): \(message)" }
}
