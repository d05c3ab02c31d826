#if canImport(Glibc)
import Glibc
#endif

/// The one error type of this module. `Code` can grow without breaking callers.
public struct HTTPServerError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case system, addressResolution, alreadyRunning, connectionClosed
        }
        private let base: Base
        /// A system call failed (`errno` is set).
        public static let system = Code(base: .system)
        /// `host` did not resolve to a bindable address.
        public static let addressResolution = Code(base: .addressResolution)
        /// `run()` was called twice.
        public static let alreadyRunning = Code(base: .alreadyRunning)
        /// The connection went away while a body was being read or written.
        public static let connectionClosed = Code(base: .connectionClosed)
        public var description: String { base.rawValue }
    }

    public let code: Code
    public let errno: Int32?
    public let message: String

    public init(code: Code, message: String, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.errno = errno
    }

    init(errno: Int32, function: StaticString) {
        self.init(code: .system, message: "\(function) failed: \(String(cString: strerror(errno)))", errno: errno)
    }

    public var description: String { "HTTPServerError(\(code)): \(message)" }
}
