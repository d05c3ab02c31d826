/// The protocol side of a connection (HTTP/1.1 now, HTTP/2 next): it never touches the socket.
/// It sees received plaintext, answers through `Connection.writeOutput`, and asks for actions
/// (`close`, `setDeadline`, `pauseReading`). All calls happen on the connection's loop thread.
/// See the comment at the top of Connection.swift for the whole seam.
protocol ConnectionHandler: AnyObject {
    /// Received plaintext: every byte not consumed by an earlier call, then the new ones.
    /// Returns how many bytes it consumed; the rest is kept and offered again (`redeliverInput()`
    /// or the next read). The pointer is valid only during the call.
    func received(_ bytes: UnsafeRawBufferPointer, connection: Connection) -> Int
    /// The peer closed its sending side (EOF). Unconsumed bytes were offered before this call.
    func inputClosed(connection: Connection)
    /// Unsent output fell below the low watermark after passing the high one: resume producers.
    func outputDrained(connection: Connection)
    /// The deadline set with `connection.setDeadline(_:)` passed.
    func deadlineExpired(connection: Connection)
    /// The server is shutting down: finish in-flight work, then close (idle: close now).
    func gracefulShutdown(connection: Connection)
    /// The connection is closed (any reason). Fail pending producers; no further calls follow.
    func closed(connection: Connection)
    /// True while large input is expected (a streamed request body): reads use the larger buffer.
    var prefersLargeReads: Bool { get }
}

extension ConnectionHandler {
    var prefersLargeReads: Bool { false }
}

/// Turns wire bytes into plaintext and back, between the socket and the handler. Plain TCP has no
/// transport object at all (no copy); TLS (OpenSSL with memory BIOs) is the second implementation.
protocol ConnectionTransport: AnyObject {
    /// Bytes read from the socket: append the plaintext they yield to `plaintext`, and any bytes the
    /// transport must send on its own (handshake, alerts) to `wireOutput`. Throw to drop the connection.
    func unwrap(_ wire: UnsafeRawBufferPointer, plaintext: inout ByteBuffer, wireOutput: inout ByteBuffer) throws
    /// Plaintext from the handler → bytes for the socket.
    func wrap(_ plaintext: UnsafeRawBufferPointer, wireOutput: inout ByteBuffer) throws
    /// Last bytes before a clean close (close_notify).
    func shutdown(wireOutput: inout ByteBuffer)
    /// True once application bytes can flow; the handler is chosen only then.
    var isHandshakeComplete: Bool { get }
    /// The ALPN protocol ("h2", "http/1.1") once the handshake is complete, else nil.
    var negotiatedProtocol: String? { get }
}

/// What a connection knows when its handler is chosen (once per connection, after a TLS handshake).
struct ConnectionInfo {
    let remoteAddress: String?
    /// ALPN result for TLS connections; nil for plaintext.
    let negotiatedProtocol: String?
    let isTLS: Bool
}
