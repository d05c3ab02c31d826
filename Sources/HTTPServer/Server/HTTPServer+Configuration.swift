/// Everything about the transport that an operator may tune, with production defaults.
extension HTTPServer {
    public struct Configuration: Sendable {
        /// Address to bind ("127.0.0.1", "0.0.0.0", "::", "localhost").
        public var host: String
        /// Port to bind; 0 picks a free one (reported through `onServerRunning`).
        public var port: Int
        /// Event loops (threads); each has its own SO_REUSEPORT listener. Default: one per core.
        public var loopCount: Int
        /// Value of the `Server` response header (nil: none).
        public var serverName: String?

        // MARK: limits
        public var maxConnections: Int = 10_000
        public var maxTargetLength: Int = 8 * 1024
        public var maxHeaderBytes: Int = 16 * 1024
        public var maxHeaderCount: Int = 100
        /// Total request body limit (413 past it), unless `bodyLimit` says otherwise for a request.
        public var maxBodySize: Int = 32 * 1024 * 1024
        /// Largest single chunk of a chunked request body.
        public var maxChunkSize: Int = 16 * 1024 * 1024
        /// Per-request body limit, decided from the request head (body still empty). Return `nil` to
        /// opt out of the total limit: a streaming route (NDJSON) then enforces a per-record limit itself.
        public var bodyLimit: (@Sendable (Request) -> Int?)?
        /// Bodies with a known length up to this size are read completely before the responder runs
        /// (`RequestBody` holds bytes); larger or chunked bodies are streamed as they arrive.
        public var bufferedBodyThreshold: Int = 1024 * 1024
        /// Unsent output past which the connection stops reading (and stream writers wait).
        public var outputHighWatermark: Int = 256 * 1024
        /// Body bytes queued for a slow streaming consumer before the connection stops reading.
        public var requestBodyHighWatermark: Int = 256 * 1024
        /// Unconsumed input (pipelined requests) past which the connection stops reading.
        public var maxBufferedInput: Int = 64 * 1024
        /// Bytes read per read(2).
        public var readBufferSize: Int = 16 * 1024
        /// Bytes read per read(2) while a streamed request body arrives (an upload): fewer reads,
        /// wake-ups and body chunks per megabyte. The buffer shrinks back to `readBufferSize` after.
        public var streamingReadBufferSize: Int = 64 * 1024

        // MARK: HTTP/2 and TLS
        /// TLS credentials and policy; nil serves plaintext (HTTP/1.1 and h2c).
        public var tls: TLSContext?
        /// HTTP/2 limits and windows (`maxBodySize` and `bodyLimit` above apply to it too).
        public var http2 = HTTP2Configuration()
        /// From accept until the TLS handshake is complete.
        public var tlsHandshakeTimeout: Duration = .seconds(10)

        // MARK: timeouts
        /// From the first byte of a request until its header section is complete (slowloris): 408.
        public var headerReadTimeout: Duration = .seconds(10)
        /// An idle keep-alive connection is closed after this.
        public var keepAliveTimeout: Duration = .seconds(60)
        /// Longest pause between two reads of a request body: 408.
        public var bodyReadTimeout: Duration = .seconds(30)
        /// Longest time output may wait without the peer taking any of it.
        public var writeTimeout: Duration = .seconds(30)

        // MARK: shutdown
        /// After a shutdown signal, requests are still served for this long while `onReadinessChange`
        /// has reported not-ready (for load balancers to notice). Default 0.
        public var readinessDelay: Duration = .zero
        /// How long in-flight requests may take to finish before their connections are closed.
        public var shutdownDeadline: Duration = .seconds(25)
        /// Called with `false` when shutdown starts (a `/readyz` route can read it).
        public var onReadinessChange: (@Sendable (Bool) -> Void)?

        /// Requests for which this returns true run their responder on the event-loop thread until its
        /// first suspension (`Task.immediate`), saving two thread hops. Only for cheap routes that never
        /// block or compute for long (health, info, metrics): CPU work there stalls every connection of
        /// the loop. Everything else runs on Swift's cooperative pool. Default: none.
        public var inlineResponder: (@Sendable (Request) -> Bool)?

        /// One access-log line per request (info level, label of the server's logger).
        public var accessLog: Bool = true

        public init(host: String = "127.0.0.1", port: Int = 8080, loopCount: Int? = nil, serverName: String? = "reward") {
            self.host = host
            self.port = port
            self.loopCount = max(1, loopCount ?? HTTPServer.coreCount)
            self.serverName = serverName
        }

        var parserLimits: HTTP1Parser.Limits {
            HTTP1Parser.Limits(
                maxTargetLength: maxTargetLength, maxHeaderBytes: maxHeaderBytes, maxHeaderCount: maxHeaderCount,
                maxBodySize: maxBodySize, maxChunkSize: maxChunkSize)
        }
    }
}
