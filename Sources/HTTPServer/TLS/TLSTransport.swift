/// The TLS `ConnectionTransport`: a `TLSSession` between the socket and the protocol handler.
/// Handshake messages, alerts and close_notify go straight to the wire; the handler only ever
/// sees plaintext, and is chosen once the handshake has settled ALPN. Plaintext and ciphertext
/// move straight between OpenSSL's memory BIOs and the connection's buffers (no extra copy).
final class TLSTransport: ConnectionTransport {
    private let session: TLSSession

    init(session: TLSSession) {
        self.session = session
    }

    func unwrap(_ wire: UnsafeRawBufferPointer, plaintext: inout ByteBuffer, wireOutput: inout ByteBuffer) throws {
        session.feed(wire)
        defer { drain(into: &wireOutput) }  // also the alert that explains a failure
        // After close_notify reads return nothing more; the TCP FIN that follows is the EOF the
        // connection acts on, so a request sent just before close_notify is still answered.
        while true {
            var outcome = TLSSession.ReadOutcome.needMoreInput
            _ = try plaintext.writeWithUnsafeMutableBytes(minimum: 16 * 1024) { buffer in
                outcome = try session.read(into: buffer)
                if case .bytes(let n) = outcome { return n }
                return 0
            }
            guard case .bytes = outcome else { return }
        }
    }

    func wrap(_ plaintext: UnsafeRawBufferPointer, wireOutput: inout ByteBuffer) throws {
        try session.write(plaintext)
        drain(into: &wireOutput)
    }

    func shutdown(wireOutput: inout ByteBuffer) {
        session.close()
        drain(into: &wireOutput)
    }

    var isHandshakeComplete: Bool { session.isHandshakeComplete }
    var negotiatedProtocol: String? { session.negotiatedProtocol }

    private func drain(into wireOutput: inout ByteBuffer) {
        while case let pending = session.pendingCiphertextCount, pending > 0 {
            _ = wireOutput.writeWithUnsafeMutableBytes(minimum: pending) { session.drainCiphertext(into: $0) }
        }
    }
}
