/// The one error type of the PreferenceStore module. `description` stays generic (safe to log or show);
/// `debugDescription` carries SQLSTATE and server detail for operators.
public struct PreferenceStoreError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case unavailable, timeout, conflict, notFound, invalidInput, overloaded, internalError
        }
        private let base: Base

        /// The database cannot be reached or is restarting: retry later (503).
        public static let unavailable = Code(base: .unavailable)
        /// A statement or a client-side deadline expired (503/504).
        public static let timeout = Code(base: .timeout)
        /// Optimistic-concurrency or idempotency conflict (409).
        public static let conflict = Code(base: .conflict)
        /// The comparison, state or tenant does not exist (404).
        public static let notFound = Code(base: .notFound)
        /// The value cannot be stored (422): empty ids, NUL characters, non-finite numbers, mismatched dims.
        public static let invalidInput = Code(base: .invalidInput)
        /// Every pooled connection stayed busy past the acquire deadline, or too many callers wait (429/503).
        public static let overloaded = Code(base: .overloaded)
        /// Anything else; a bug or an unexpected server error.
        public static let internalError = Code(base: .internalError)

        public var description: String { base.rawValue }
    }

    public let code: Code
    public let message: String
    /// SQLSTATE from the server, when the error came from one.
    public let sqlState: String?
    /// Server or libpq detail for logs only.
    public let detail: String?
    /// True when the failed statement certainly did not run, so the operation can be retried as is.
    let didNotExecute: Bool

    public init(_ code: Code, _ message: String, sqlState: String? = nil, detail: String? = nil) {
        self.init(code, message, sqlState: sqlState, detail: detail, didNotExecute: false)
    }

    init(_ code: Code, _ message: String, sqlState: String? = nil, detail: String? = nil, didNotExecute: Bool) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.didNotExecute = didNotExecute
    }

    public var description: String {
        "PreferenceStoreError.\(code): \(message)" + (sqlState.map { " [SQLSTATE \($0)]" } ?? "")
    }

    public var debugDescription: String {
        var text = description
        if let detail { text += " — \(detail)" }
        return text
    }
}
