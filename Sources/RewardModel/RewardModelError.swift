/// The one error type of RewardModel. Every operation validates its input and throws one of these;
/// none traps on bad input.
public struct RewardModelError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidInput, invalidHead, unsupported, numericalRange
        }
        private let base: Base
        /// A dimension, index, count or value of the request is wrong (maps to 422).
        public static let invalidInput = Code(base: .invalidInput)
        /// A head directory is unreadable or inconsistent (config vs tensors).
        public static let invalidHead = Code(base: .invalidHead)
        /// The operation does not exist for this kind (e.g. adapt on `bt`, a prompt on a prompt-free head).
        public static let unsupported = Code(base: .unsupported)
        /// Finite input whose magnitude overflows Float32 inside the head.
        public static let numericalRange = Code(base: .numericalRange)
        public var description: String { base.rawValue }
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}

extension RewardModelError {
    /// Every throw inside RewardModel is a RewardModelError; anything else is reported as bad input.
    static func wrapping(_ error: any Error) -> RewardModelError {
        error as? RewardModelError ?? RewardModelError(.invalidInput, "\(error)")
    }
}
