#if canImport(Glibc)
import Glibc
#endif
import CSystemShims

// MARK: - The connection seam (read this before adding HTTP/2 or TLS)
//
//   EventLoop ──ready(events)──▶ Connection ──plaintext──▶ ConnectionHandler (HTTP1Handler, HTTP/2…)
//      epoll, timers,             owns the fd,              I/O-free protocol logic: consumes bytes,
//      execute(_:) hops           input/output buffers,     writes responses with writeOutput { },
//                                 backpressure, deadlines,  asks for close/pause/deadline actions
//                                 optional Transport (TLS)
//
// * Transport: `transport == nil` is plain TCP and costs nothing. A TLS transport is set by the
//   server's `makeTransport` at accept time; reads go socket → `unwrap` → `input`, writes go
//   `writeOutput` → staging → `wrap` → `output`. The handler never sees ciphertext.
// * Protocol selection happens once per connection, in `ServerContext.makeHandler(info)`, when the
//   first application bytes can flow (at accept for plaintext, after the handshake for TLS, with
//   `ConnectionInfo.negotiatedProtocol` from ALPN). To decide from the bytes themselves (h2 preface
//   on plaintext, `Upgrade: h2c`), a handler calls `replaceHandler(with:)`: the new handler gets the
//   not-yet-consumed input at once.
// * Output: `writeOutput` appends to one buffer; it is flushed after every batch of received bytes
//   and after every hop back from a Swift task (`flush()`). Past `outputHighWatermark` unsent bytes,
//   reading pauses; below half of it reading resumes and the handler gets `outputDrained` (wake
//   stream writers then). Unconsumed input past `maxBufferedInput` also pauses reading.
// * Threads: a Connection lives on one loop. From a Task, get back with
//   `connection.loop.execute { connection.… }` — never touch it from another thread.
// * Close: `close(.afterFlush)` sends what is queued, half-closes, drains the peer for a moment
//   (so the peer reads our error response instead of a reset), then closes; `close(.now)` resets.

/// One accepted socket. `@unchecked Sendable` so closures can carry it back to its loop: all of its
/// state is touched only on `loop`'s thread (see the seam comment above).
final class Connection: EventSink, @unchecked Sendable {
    enum CloseMode { case now, afterFlush }
    enum State { case open, closingAfterFlush, lingering, closed }
    struct PauseReason: OptionSet {
        let rawValue: UInt8
        static let outputFull = PauseReason(rawValue: 1)
        static let inputFull = PauseReason(rawValue: 2)
        static let handler = PauseReason(rawValue: 4)
        /// The peer sent EOF: never read again (level-triggered EPOLLIN would fire forever).
        static let eof = PauseReason(rawValue: 8)
    }

    let fd: Int32
    let loop: EventLoop
    let server: ServerContext
    let remoteAddress: String?
    var handler: ConnectionHandler?
    var transport: ConnectionTransport?
    var state = State.open  // internal: Connection+Lifecycle.swift
    var input: ByteBuffer
    var output: ByteBuffer
    private var staging = ByteBuffer(capacity: 0)  // plaintext waiting for transport.wrap
    private var wireInput = ByteBuffer(capacity: 0)  // ciphertext read, for transport.unwrap
    var interest: UInt32 = 0
    var pauseReasons: PauseReason = []
    private var outputWasFull = false
    private var drainNoticeRequested = false
    /// Largest unsent output seen on this connection (reported to `server.outputPeak` when it grows).
    private var outputPeak = 0
    var handlerDeadline: UInt64 = 0
    var writeDeadline: UInt64 = 0
    var lingerDeadline: UInt64 = 0
    var timerID: UInt64 = 0
    var timerArmedAt: UInt64 = 0
    /// Called once when the connection is closed (the listener forgets it).
    var onClose: ((Connection) -> Void)?

    init(fd: Int32, loop: EventLoop, server: ServerContext, remoteAddress: String?) {
        self.fd = fd
        self.loop = loop
        self.server = server
        self.remoteAddress = remoteAddress
        input = ByteBuffer(capacity: server.configuration.readBufferSize)
        output = ByteBuffer(capacity: 4096)
    }

    /// Registers with the loop and picks the handler (plaintext) or waits for the handshake (TLS).
    func start(transport: ConnectionTransport?) throws {
        self.transport = transport
        interest = CSystemShims_EPOLLIN | CSystemShims_EPOLLRDHUP
        try loop.register(fd: fd, events: interest, sink: self)
        if transport == nil {
            chooseHandler()
        } else {
            // No handler (and so no deadline of its own) until the handshake completes.
            setDeadline(monotonicNanos() &+ server.configuration.tlsHandshakeTimeout.nanoseconds)
        }
    }

    private func chooseHandler() {
        let info = ConnectionInfo(
            remoteAddress: remoteAddress, negotiatedProtocol: transport?.negotiatedProtocol, isTLS: transport != nil)
        handler = server.makeHandler(info, self)
    }

    /// Swaps the protocol handler (h2 preface sniffing, `Upgrade: h2c`); the new one is offered the
    /// unconsumed input right away.
    func replaceHandler(with newHandler: ConnectionHandler) {
        handler = newHandler
        redeliverInput()
    }

    /// Like `replaceHandler`, from inside the current handler's `received`: the handler returns
    /// what it consumed, and the rest of the input goes to `newHandler` before more is read.
    func switchHandler(to newHandler: ConnectionHandler) {
        handler = newHandler
    }

    var isTLS: Bool { transport != nil }

    // MARK: events

    func ready(events: UInt32) {
        if state == .closed { return }
        if events & CSystemShims_EPOLLOUT != 0 { flush() }
        if state == .closed { return }
        let readable = events & (CSystemShims_EPOLLIN | CSystemShims_EPOLLRDHUP) != 0
        let broken = events & (CSystemShims_EPOLLHUP | CSystemShims_EPOLLERR) != 0
        guard readable || broken else { return }
        if pauseReasons.contains(.eof) && state != .lingering {
            if broken { close(.now) }  // the peer is gone both ways: nothing we write can arrive
            return
        }
        readFromSocket()
    }

    private func readFromSocket() {
        let large = handler?.prefersLargeReads ?? false
        let minimum = large ? server.configuration.streamingReadBufferSize : server.configuration.readBufferSize
        if !large {
            // Back to the usual size once an upload is over (idle keep-alive connections stay small).
            input.shrinkIfEmpty(above: minimum)
            wireInput.shrinkIfEmpty(above: minimum)
        }
        // A streamed body is read at most `streamingReadBufferSize` at a time, whatever room the buffer
        // has grown to: one read is then all it can overshoot the body watermark by.
        let limit = large ? minimum : Int.max
        let result: IOResult<Int>
        do {
            result = transport == nil
                ? try readPlain(minimum: minimum, limit: limit) : try readThroughTransport(minimum: minimum, limit: limit)
        } catch {
            close(.now)
            return
        }
        switch result {
        case .wouldBlock:
            return
        case .done(0):
            if state == .lingering { close(.now); return }
            setPaused(.eof, true)
            // The handler may still answer a request in flight (the peer half-closed), or close.
            if state == .open { handler?.inputClosed(connection: self) }
        case .done:
            if state == .lingering { input.clear(); return }
            if state != .open { input.clear(); return }
            if handler == nil, let transport, transport.isHandshakeComplete { chooseHandler() }
            redeliverInput()
            flush()
        }
    }

    private func readPlain(minimum: Int, limit: Int) throws -> IOResult<Int> {
        var result = IOResult<Int>.wouldBlock
        _ = try input.writeWithUnsafeMutableBytes(minimum: minimum) { buffer in
            result = try syscall("read") { read(fd, buffer.baseAddress, min(buffer.count, limit)) }
            if case .done(let n) = result { return n }
            return 0
        }
        return result
    }

    private func readThroughTransport(minimum: Int, limit: Int) throws -> IOResult<Int> {
        var result = IOResult<Int>.wouldBlock
        _ = try wireInput.writeWithUnsafeMutableBytes(minimum: minimum) { buffer in
            result = try syscall("read") { read(fd, buffer.baseAddress, min(buffer.count, limit)) }
            if case .done(let n) = result { return n }
            return 0
        }
        if case .done(let n) = result, n > 0 {
            try transport!.unwrap(wireInput.readable, plaintext: &input, wireOutput: &output)
            wireInput.consume(wireInput.readableBytes)
        }
        return result
    }

    /// Offers the unconsumed input to the handler again (after a response let it continue).
    func redeliverInput() {
        guard state == .open, let handler else { return }
        var current = handler
        while !input.isEmpty {
            let consumed = current.received(input.readable, connection: self)
            // A handler that closed the connection meanwhile may have had the input dropped.
            guard state == .open else { return }
            input.consume(consumed)
            // The handler replaced itself (`switchHandler`): offer the rest to its successor.
            guard state == .open, let next = self.handler, next !== current else { break }
            current = next
        }
        let full = input.readableBytes >= server.configuration.maxBufferedInput
        setPaused(.inputFull, full)
    }

    // MARK: output

    /// Appends bytes for the peer (through the transport, if any). Call `flush()` when done.
    func writeOutput(_ body: (inout ByteBuffer) -> Void) {
        guard state == .open || state == .closingAfterFlush else { return }
        if let transport {
            body(&staging)
            do { try transport.wrap(staging.readable, wireOutput: &output) } catch { close(.now) }
            staging.clear()
        } else {
            body(&output)
        }
    }

    var unsentBytes: Int { output.readableBytes + staging.readableBytes }

    /// Writes as much queued output as the socket takes now; arms EPOLLOUT for the rest.
    func flush() {
        guard state != .closed, state != .lingering else { return }
        if output.readableBytes > outputPeak {
            outputPeak = output.readableBytes
            server.outputPeak.observe(outputPeak)
        }
        while !output.isEmpty {
            let result: IOResult<Int>
            do {
                let pending = output.readable
                result = try syscall("write") { write(fd, pending.baseAddress, pending.count) }
            } catch {
                close(.now)
                return
            }
            guard case .done(let n) = result else { break }
            output.consume(n)
            writeDeadline = 0
        }
        if output.isEmpty {
            output.shrinkIfIdle()
            setWantsWrite(false)
            if state == .closingAfterFlush { beginLinger(); return }
        } else {
            setWantsWrite(true)
            if writeDeadline == 0 { setWriteDeadline() }
        }
        updateOutputPressure()
    }

    private func updateOutputPressure() {
        let high = server.configuration.outputHighWatermark
        if output.readableBytes > high {
            outputWasFull = true
            setPaused(.outputFull, true)
        } else if (outputWasFull || drainNoticeRequested) && output.readableBytes <= high / 2 {
            if outputWasFull { setPaused(.outputFull, false) }
            outputWasFull = false
            drainNoticeRequested = false
            if state == .open { handler?.outputDrained(connection: self) }
        }
    }

    /// The handler held work back because of unsent output: call `outputDrained` once it is below
    /// half the watermark (after the next flush), even if it never passed the watermark on a flush.
    func notifyWhenOutputDrains() { drainNoticeRequested = true }

    /// True while unsent output is above the high watermark (stream writers wait then).
    var isOutputFull: Bool { outputWasFull }

    /// Unsent output is above the high watermark right now (also before the next flush).
    var isOverOutputLimit: Bool { unsentBytes > server.configuration.outputHighWatermark }

    // MARK: reading control

    func pauseReading(_ paused: Bool) { setPaused(.handler, paused) }

    /// Reading is paused by us (handler request, full output or input), not ended by the peer.
    var isReadingPaused: Bool { !pauseReasons.subtracting(.eof).isEmpty }

    private func setPaused(_ reason: PauseReason, _ paused: Bool) {
        if paused { pauseReasons.insert(reason) } else { pauseReasons.remove(reason) }
        updateInterest()
    }

    private func setWantsWrite(_ wants: Bool) {
        let has = interest & CSystemShims_EPOLLOUT != 0
        if has == wants { return }
        updateInterest(wantsWrite: wants)
    }

    func updateInterest(wantsWrite: Bool? = nil) {
        guard state != .closed else { return }
        var events: UInt32 = 0
        let reading = state == .lingering || pauseReasons.isEmpty
        if reading { events |= CSystemShims_EPOLLIN | CSystemShims_EPOLLRDHUP }
        if wantsWrite ?? (interest & CSystemShims_EPOLLOUT != 0) { events |= CSystemShims_EPOLLOUT }
        if events == interest { return }
        interest = events
        do { try loop.modify(fd: fd, events: events) } catch { close(.now) }
    }
}
