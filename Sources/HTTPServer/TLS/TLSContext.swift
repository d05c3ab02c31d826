import Locking

/// The server's TLS credentials and policy. Built once at startup (a bad certificate or key
/// fails here, with a message naming the file); `reload()` re-reads the files for SIGHUP.
/// A reload affects new handshakes only: each connection keeps the `SSLContext` it started with.
public final class TLSContext: Sendable {
    public let configuration: TLSConfiguration
    private let current: Locked<SSLContext>

    public init(configuration: TLSConfiguration) throws {
        self.configuration = configuration
        current = Locked(try SSLContext(server: configuration))
    }

    /// Re-reads the certificate chain and key. On failure the old credentials stay in use
    /// and the error says why, so a typo during a rotation never takes the server down.
    public func reload() throws {
        let fresh = try SSLContext(server: configuration)
        current.withLock { $0 = fresh }
    }

    /// A server-side session for one accepted connection.
    func makeSession() throws -> TLSSession {
        try TLSSession(context: current.withLock { $0 }, mode: .server)
    }
}
