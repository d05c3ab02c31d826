/// The one error type of RewardTraining: bad datasets, bad options, heads that cannot be trained.
public struct TrainingError: Error, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public var description: String { rawValue }
        /// A dataset file that cannot be read or parsed, or whose contents are inconsistent.
        public static let invalidDataset = Code(rawValue: "invalid_dataset")
        /// Options that make no sense (negative counts, unknown kinds, …).
        public static let invalidOptions = Code(rawValue: "invalid_options")
        /// Something the trainer or evaluator does not support for this head or dataset.
        public static let unsupported = Code(rawValue: "unsupported")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
