/// The one error type of the Tensors module: a malformed or unreadable safetensors file.
public struct TensorsError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case io, truncated, headerTooLarge, badHeader, unknownDType, badShape, badOffsets, missingTensor
        }
        private let base: Base
        /// The file could not be opened, read or written.
        public static let io = Code(base: .io)
        /// The file is shorter than its own header says.
        public static let truncated = Code(base: .truncated)
        /// The declared header length is beyond the file or the sanity cap.
        public static let headerTooLarge = Code(base: .headerTooLarge)
        /// The JSON header is not the expected object.
        public static let badHeader = Code(base: .badHeader)
        /// A tensor has a dtype this loader does not know.
        public static let unknownDType = Code(base: .unknownDType)
        /// A shape is negative, overflows, or does not match what the caller expects.
        public static let badShape = Code(base: .badShape)
        /// Data offsets are out of range, overlap, or do not match the shape.
        public static let badOffsets = Code(base: .badOffsets)
        /// A tensor the caller requires is absent.
        public static let missingTensor = Code(base: .missingTensor)
        public var description: String { base.rawValue }
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "safetensors \(code): \(message)" }
}
