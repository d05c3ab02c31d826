import COpenSSL

/// Every TLS failure: configuration (bad certificate, key, mismatch) and per-connection
/// (handshake, protocol). `message` says what happened in words an operator can act on;
/// `openSSLErrors` holds the drained OpenSSL error queue for the log.
public struct TLSError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String { case certificate, privateKey, keyMismatch, configuration, handshake, protocolError }
        private let base: Base
        public static let certificate = Code(base: .certificate)
        public static let privateKey = Code(base: .privateKey)
        public static let keyMismatch = Code(base: .keyMismatch)
        public static let configuration = Code(base: .configuration)
        public static let handshake = Code(base: .handshake)
        public static let protocolError = Code(base: .protocolError)
        public var description: String { base.rawValue }
    }

    public let code: Code
    public let message: String
    public let openSSLErrors: [String]

    init(_ code: Code, _ message: String, openSSLErrors: [String] = TLSError.drainErrorQueue()) {
        self.code = code
        self.message = message
        self.openSSLErrors = openSSLErrors
    }

    public var description: String {
        openSSLErrors.isEmpty ? message : "\(message) (\(openSSLErrors.joined(separator: "; ")))"
    }

    /// Empties OpenSSL's thread-local error queue into readable strings, so one failure's
    /// leftovers never leak into the next call on this thread.
    static func drainErrorQueue() -> [String] {
        var errors: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { return errors }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            errors.append(String(decoding: buffer.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self))
        }
    }
}
