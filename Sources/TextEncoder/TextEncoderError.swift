/// The one error type of the TextEncoder module: a model directory that cannot be loaded.
/// (Encoding text never fails: any string tokenizes, unknown pieces become `[UNK]`.)
public struct TextEncoderError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case missingFile, badConfig, badVocabulary, badWeights, unsupported
        }
        private let base: Base
        /// A required file (config.json, vocab.txt, model.safetensors, …) is absent or unreadable.
        public static let missingFile = Code(base: .missingFile)
        /// A configuration file is not the JSON object expected, or its values are inconsistent.
        public static let badConfig = Code(base: .badConfig)
        /// vocab.txt is empty, lacks a special token, or has duplicate entries.
        public static let badVocabulary = Code(base: .badVocabulary)
        /// model.safetensors lacks a tensor or has one of the wrong shape.
        public static let badWeights = Code(base: .badWeights)
        /// The model asks for something this encoder does not implement (activation, pooling mode…).
        public static let unsupported = Code(base: .unsupported)
        public var description: String { base.rawValue }
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "text encoder \(code): \(message)" }
}
