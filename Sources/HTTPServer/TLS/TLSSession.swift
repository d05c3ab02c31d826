import COpenSSL

/// One connection's TLS state over memory BIOs, with no I/O of its own: the connection feeds
/// the ciphertext it reads, takes plaintext out, and sends whatever ciphertext this produces
/// (handshake messages, records, alerts, close_notify). Confined to the connection's thread.
final class TLSSession {
    enum Mode { case server, client(serverName: String) }
    enum ReadStatus: Equatable {
        /// More ciphertext is needed (the handshake or a record is incomplete).
        case needMoreInput
        /// The peer sent close_notify: no more plaintext will come.
        case closed
    }

    /// Kept alive for the session: the SSL_CTX's ALPN callback reads from it.
    private let context: SSLContext
    private let ssl: OpaquePointer
    /// Ciphertext from the network (we write, OpenSSL reads).
    private let networkIn: OpaquePointer
    /// Ciphertext for the network (OpenSSL writes, we read).
    private let networkOut: OpaquePointer
    private(set) var isHandshakeComplete = false
    private(set) var receivedCloseNotify = false

    init(context: SSLContext, mode: Mode) throws {
        _ = TLSError.drainErrorQueue()
        guard let ssl = SSL_new(context.raw) else { throw TLSError(.configuration, "SSL_new failed") }
        guard let input = BIO_new(BIO_s_mem()), let output = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw TLSError(.configuration, "BIO_new failed")
        }
        _ = COpenSSL_BIO_set_mem_eof_return(input, -1)
        _ = COpenSSL_BIO_set_mem_eof_return(output, -1)
        SSL_set_bio(ssl, input, output)  // the SSL object now owns both BIOs
        self.context = context
        self.ssl = ssl
        self.networkIn = input
        self.networkOut = output
        switch mode {
        case .server:
            SSL_set_accept_state(ssl)
        case .client(let serverName):
            SSL_set_connect_state(ssl)
            _ = COpenSSL_SSL_set_tlsext_host_name(ssl, serverName)
            _ = SSL_set1_host(ssl, serverName)
            let alpn = context.alpnProtocolList
            if !alpn.isEmpty { _ = SSL_set_alpn_protos(ssl, alpn.baseAddress, UInt32(alpn.count)) }
        }
    }

    deinit { SSL_free(ssl) }

    /// The protocol both sides agreed on with ALPN ("h2", "http/1.1"), or nil.
    var negotiatedProtocol: String? {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    var protocolVersion: String { String(cString: SSL_get_version(ssl)) }

    /// Ciphertext received from the peer. Memory BIOs grow as needed, so this always takes all of it;
    /// the connection bounds it by reading from the socket only while it has room.
    func feed(_ ciphertext: UnsafeRawBufferPointer) {
        guard let base = ciphertext.baseAddress, ciphertext.count > 0 else { return }
        var written = 0
        let rv = BIO_write_ex(networkIn, base, ciphertext.count, &written)
        precondition(rv == 1 && written == ciphertext.count, "memory BIO refused a write")
    }

    enum ReadOutcome: Equatable { case bytes(Int), needMoreInput, closed }

    /// Advances the handshake and decrypts into `buffer`: `.bytes(n)` when plaintext came out
    /// (call again for more). Throws on a handshake or protocol failure; the alert OpenSSL queued
    /// for the peer is still in `drainCiphertext`, so send it before closing.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> ReadOutcome {
        if receivedCloseNotify { return .closed }
        var count = 0
        let rv = SSL_read_ex(ssl, buffer.baseAddress, buffer.count, &count)
        if rv == 1 {
            isHandshakeComplete = true
            return .bytes(count)
        }
        if SSL_is_init_finished(ssl) == 1 { isHandshakeComplete = true }
        switch SSL_get_error(ssl, rv) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            return .needMoreInput
        case SSL_ERROR_ZERO_RETURN:
            receivedCloseNotify = true
            return .closed
        default:
            throw TLSError(
                isHandshakeComplete ? .protocolError : .handshake,
                isHandshakeComplete ? "TLS protocol error" : "TLS handshake failed")
        }
    }

    /// Every available plaintext byte, appended to `plaintext` (tests and simple callers).
    func read(into plaintext: inout [UInt8]) throws -> ReadStatus {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            switch try chunk.withUnsafeMutableBytes({ try read(into: $0) }) {
            case .bytes(let n): plaintext.append(contentsOf: chunk[0..<n])
            case .needMoreInput: return .needMoreInput
            case .closed: return .closed
            }
        }
    }

    var pendingCiphertextCount: Int { Int(BIO_ctrl_pending(networkOut)) }

    /// Moves up to `buffer.count` ciphertext bytes for the network into `buffer`; returns the count.
    func drainCiphertext(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard buffer.count > 0 else { return 0 }
        var read = 0
        guard BIO_read_ex(networkOut, buffer.baseAddress, buffer.count, &read) == 1 else { return 0 }
        return read
    }

    /// Encrypts `plaintext` into records (available from `drainCiphertext`). Only after the handshake.
    func write(_ plaintext: UnsafeRawBufferPointer) throws {
        precondition(isHandshakeComplete, "TLS write before the handshake completed")
        guard let base = plaintext.baseAddress, plaintext.count > 0 else { return }
        var written = 0
        guard SSL_write_ex(ssl, base, plaintext.count, &written) == 1, written == plaintext.count else {
            throw TLSError(.protocolError, "TLS write failed")
        }
    }

    func write(_ plaintext: [UInt8]) throws {
        try plaintext.withUnsafeBytes { try write($0) }
    }

    var hasPendingCiphertext: Bool { BIO_ctrl_pending(networkOut) > 0 }

    /// Moves every ciphertext byte waiting for the network to the end of `out`.
    func drainCiphertext(into out: inout [UInt8]) {
        let pending = Int(BIO_ctrl_pending(networkOut))
        guard pending > 0 else { return }
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: pending))
        var read = 0
        let rv = out.withUnsafeMutableBytes { BIO_read_ex(networkOut, $0.baseAddress! + start, pending, &read) }
        precondition(rv == 1 && read == pending, "memory BIO returned less than it reported pending")
    }

    /// Queues close_notify (once). Send the ciphertext, then close the socket without waiting
    /// for the peer's close_notify (RFC 8446 §6.1 allows it).
    func close() {
        guard isHandshakeComplete else { return }
        _ = SSL_shutdown(ssl)
        _ = TLSError.drainErrorQueue()
    }
}
