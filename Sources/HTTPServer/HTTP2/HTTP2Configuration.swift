/// Limits and windows for HTTP/2 connections. The defaults are what a public endpoint wants:
/// 100 concurrent streams, 16 KiB of request headers, flow-control windows that let one
/// upload run at full speed without letting one connection buffer more than a few MiB.
public struct HTTP2Configuration: Sendable {
    /// Off: plaintext connections are HTTP/1.1 only and TLS does not offer "h2".
    public var isEnabled = true
    /// SETTINGS_MAX_CONCURRENT_STREAMS.
    public var maxConcurrentStreams: UInt32 = 100
    /// SETTINGS_MAX_HEADER_LIST_SIZE; a larger request gets 431. Far larger (4×) ends the
    /// connection with ENHANCE_YOUR_CALM, so an HPACK bomb cannot burn CPU for long.
    public var maxHeaderListSize: Int = 16 * 1024
    /// SETTINGS_INITIAL_WINDOW_SIZE: request body bytes a stream may have unread.
    public var initialStreamWindowSize: Int32 = 256 * 1024
    /// Request body bytes the whole connection may have unread.
    public var connectionWindowSize: Int32 = 4 * 1024 * 1024
    /// Request bodies larger than this get 413 (same limit as HTTP/1.1).
    public var maxBodySize: Int = 8 * 1024 * 1024
    /// Per-request body limit from the request head, as in HTTP/1.1; nil opts out of `maxBodySize`.
    public var bodyLimit: (@Sendable (Request) -> Int?)?
    /// Streamed-response bytes buffered per stream before `BodyWriter.write` suspends.
    public var streamOutputHighWater: Int = 64 * 1024
    /// nghttp2's rapid-reset limiter: incoming RST_STREAM token bucket (burst, per second).
    public var streamResetBurst: UInt64 = 1000
    public var streamResetRate: UInt64 = 33
    /// CONTINUATION frames allowed after one HEADERS frame.
    public var maxContinuations: Int = 8
    /// Queued SETTINGS/PING ACKs before the peer counts as flooding.
    public var maxOutboundAcks: Int = 1000
    /// PING, SETTINGS and PRIORITY frames a peer may send: a token bucket (burst, per second). A peer
    /// that reads our ACKs as fast as it floods never fills nghttp2's ACK queue, so this limit is what
    /// ends a sustained control-frame flood with GOAWAY(ENHANCE_YOUR_CALM).
    public var controlFrameBurst: Int = 1000
    public var controlFramesPerSecond: Int = 100

    public init() {}
}
