import CNGHTTP2

/// One HTTP/2 server connection around an nghttp2 session, with no I/O of its own: the
/// connection shell feeds received bytes to `receive`, writes what `produceOutput` returns,
/// and closes once `isFinished`. Each request stream runs the shared `Responder` in a task;
/// results hop back through `executor` and `onOutputAvailable` asks the shell to flush.
///
/// `@unchecked Sendable`: all state is touched on the executor's thread only. Tasks capture
/// the reference solely to `execute` a hop back onto that thread.
final class HTTP2Connection: @unchecked Sendable {
    let configuration: HTTP2Configuration
    let responder: any Responder
    let executor: any ConnectionExecutor
    let remoteAddress: String?
    /// Called on the connection thread when asynchronous work (a response, a body chunk,
    /// a window update) queued frames: the shell should call `produceOutput` and write.
    var onOutputAvailable: (() -> Void)?
    /// The `date` field the transport adds to every response unless the responder set one.
    var responseDate: (() -> String)?
    /// The `server` field, likewise.
    var serverName: String?
    /// Adopts or assigns the request id (`x-request-id`), as HTTP/1.1 does; nil leaves headers alone.
    var assignRequestID: ((inout HTTPHeaders) -> String)?
    /// Requests answered on the connection thread until their first suspension (HTTPServer's `inlineResponder`).
    var inlineResponder: (@Sendable (Request) -> Bool)?
    /// Where streamed request bodies report their largest backlog (`HTTPServer.bufferPeaks`).
    var requestBodyPeak: PeakGauge?
    /// Called when a stream that got a response closes (the access log).
    var onStreamFinished: ((HTTP2Stream) -> Void)?
    /// True on the executor's thread (set by the shell; the inline path needs it).
    var isOnConnectionThread: @Sendable () -> Bool = { false }

    private(set) var session: OpaquePointer!
    var streams: [Int32: HTTP2Stream] = [:]
    /// Streams whose request head arrived during the current `receive`, in arrival order.
    var pendingDispatch: [Int32] = []
    /// Set when a header block grows far past the limit (an HPACK bomb) or control frames arrive
    /// faster than the budget: the connection ends with ENHANCE_YOUR_CALM.
    var headerFlood = false
    /// Token bucket for PING/SETTINGS/PRIORITY (see `HTTP2Configuration.controlFrameBurst`).
    var controlTokens = 0
    var controlTokensUpdated: UInt64 = 0
    private(set) var fatalError: HTTP2Error?
    var shutdownState = ShutdownState.running
    enum ShutdownState { case running, noticeSent, goAwaySent }
    private var isClosed = false

    init(
        responder: any Responder, configuration: HTTP2Configuration = .init(),
        executor: any ConnectionExecutor, remoteAddress: String? = nil
    ) throws {
        self.responder = responder
        self.configuration = configuration
        self.executor = executor
        self.remoteAddress = remoteAddress
        controlTokens = configuration.controlFrameBurst
        controlTokensUpdated = monotonicNanos()

        var options: OpaquePointer?
        guard nghttp2_option_new(&options) == 0, let options else { throw HTTP2Error(code: NGHTTP2_ERR_NOMEM.rawValue) }
        defer { nghttp2_option_del(options) }
        // The window opens as the responder reads the body (HTTP2RequestBodySource), not on receipt.
        nghttp2_option_set_no_auto_window_update(options, 1)
        nghttp2_option_set_stream_reset_rate_limit(options, configuration.streamResetBurst, configuration.streamResetRate)
        nghttp2_option_set_max_continuations(options, configuration.maxContinuations)
        nghttp2_option_set_max_outbound_ack(options, configuration.maxOutboundAcks)
        nghttp2_option_set_max_settings(options, 32)
        // Closed streams are not kept for the RFC 7540 priority tree (deprecated by RFC 9113).
        nghttp2_option_set_no_closed_streams(options, 1)

        var session: OpaquePointer?
        let rv = nghttp2_session_server_new2(
            &session, HTTP2Callbacks.shared.raw, Unmanaged.passUnretained(self).toOpaque(), options)
        guard rv == 0, let session else { throw HTTP2Error(code: rv) }
        self.session = session
    }

    deinit { nghttp2_session_del(session) }

    /// Queues the server's SETTINGS (the first frame it must send) and opens the connection window.
    func start() throws {
        let settings: [(nghttp2_settings_id, UInt32)] = [
            (NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, configuration.maxConcurrentStreams),
            (NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, UInt32(configuration.initialStreamWindowSize)),
            (NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, UInt32(configuration.maxHeaderListSize)),
        ]
        var entries = settings.map { nghttp2_settings_entry(settings_id: Int32($0.0.rawValue), value: $0.1) }
        var rv = nghttp2_submit_settings(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), &entries, entries.count)
        guard rv == 0 else { throw HTTP2Error(code: rv) }
        rv = nghttp2_session_set_local_window_size(
            session, UInt8(NGHTTP2_FLAG_NONE.rawValue), 0, configuration.connectionWindowSize)
        guard rv == 0 else { throw HTTP2Error(code: rv) }
    }

    /// Bytes read from the peer. Returns false after a connection-level error: the GOAWAY is
    /// queued, so flush `produceOutput` and close.
    @discardableResult
    func receive(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard fatalError == nil, let base = bytes.baseAddress, bytes.count > 0 else { return fatalError == nil }
        let rv = nghttp2_session_mem_recv(session, base.assumingMemoryBound(to: UInt8.self), bytes.count)
        if rv < 0 {
            let error = HTTP2Error(code: Int32(rv))
            fatalError = error
            let code: nghttp2_error_code =
                headerFlood || rv == Int(NGHTTP2_ERR_FLOODED.rawValue) ? NGHTTP2_ENHANCE_YOUR_CALM
                : rv == Int(NGHTTP2_ERR_CALLBACK_FAILURE.rawValue) ? NGHTTP2_INTERNAL_ERROR : NGHTTP2_PROTOCOL_ERROR
            _ = nghttp2_session_terminate_session(session, code.rawValue)
            pendingDispatch.removeAll()
            return false
        }
        dispatchPending()
        return true
    }

    /// Appends queued frames to `buffer` until nghttp2 has nothing more or `buffer` reaches
    /// `limit` (the shell's output bound: reading pauses and DATA waits above it).
    func produceOutput(into buffer: inout [UInt8], limit: Int = 256 * 1024) {
        produceOutput(limit: limit - buffer.count) { buffer.append(contentsOf: $0) }
    }

    /// Hands queued frames to `sink` (valid only during the call) until nghttp2 has nothing more
    /// or `limit` bytes went out; returns the byte count. Many small frames become one write.
    @discardableResult
    func produceOutput(limit: Int, _ sink: (UnsafeRawBufferPointer) -> Void) -> Int {
        var produced = 0
        while produced < limit {
            var data: UnsafePointer<UInt8>?
            let n = nghttp2_session_mem_send(session, &data)
            if n < 0 {
                fatalError = fatalError ?? HTTP2Error(code: Int32(n))
                break
            }
            guard n > 0, let data else { break }
            sink(UnsafeRawBufferPointer(start: data, count: n))
            produced += n
        }
        return produced
    }

    /// True when the session neither expects input nor has output: after GOAWAY with no
    /// open streams, after a fatal error, or after the peer's GOAWAY once streams finish.
    var isFinished: Bool {
        if fatalError != nil { return nghttp2_session_want_write(session) == 0 }
        return nghttp2_session_want_read(session) == 0 && nghttp2_session_want_write(session) == 0
    }

    var openStreamCount: Int { streams.count }

    /// The socket is gone: stop every responder and producer, release bodies.
    func connectionClosed() {
        guard !isClosed else { return }
        isClosed = true
        for stream in streams.values { abort(stream) }
        streams.removeAll()
    }

    func abort(_ stream: HTTP2Stream) {
        stream.responderHandle?.cancel()
        stream.responderHandle = nil
        if let dropped = stream.body?.fail(RequestBodyError.aborted), dropped > 0, !isClosed {
            _ = nghttp2_session_consume_connection(session, dropped)
        }
        let writers = stream.suspendedWriters
        stream.suspendedWriters = []
        for writer in writers { writer.resume(throwing: HTTP2Error.streamClosed) }
    }

    /// Runs `work` on the connection thread, then lets the shell flush what it queued.
    func hop(_ work: @escaping @Sendable (HTTP2Connection) -> Void) {
        // Runs even after close: work that holds a continuation must still resume it.
        executor.execute { [self] in
            work(self)
            if !self.isClosed { self.onOutputAvailable?() }
        }
    }

    static func from(_ pointer: UnsafeMutableRawPointer?) -> HTTP2Connection {
        Unmanaged<HTTP2Connection>.fromOpaque(pointer!).takeUnretainedValue()
    }
}
