#if canImport(Glibc)
import Glibc
#endif
import CSystemShims

/// Closing, lingering and the connection's one timer (handler deadline, write deadline, linger).
extension Connection {
    /// How long a closing connection keeps draining the peer's bytes after our last response, so
    /// the peer reads that response instead of a TCP reset.
    static let lingerNanos: UInt64 = 2_000_000_000

    func close(_ mode: CloseMode) {
        switch (mode, state) {
        case (_, .closed):
            return
        case (.afterFlush, .open):
            state = .closingAfterFlush
            flush()
        case (.afterFlush, _):
            return
        case (.now, _):
            closeNow()
        }
    }

    /// Output is flushed: half-close and read (discarding) until EOF or the linger time is over.
    func beginLinger() {
        if pauseReasons.contains(.eof) { closeNow(); return }  // the peer already finished sending
        if let transport {
            transport.shutdown(wireOutput: &output)
            if !output.isEmpty {
                _ = output.readable.withMemoryRebound(to: UInt8.self) { write(fd, $0.baseAddress, $0.count) }
            }
        }
        _ = shutdown(fd, Int32(SHUT_WR))
        state = .lingering
        server.lingeringCount.add(1, ordering: .relaxed)
        input.clear()
        pauseReasons = []
        updateInterest(wantsWrite: false)
        lingerDeadline = monotonicNanos() &+ Connection.lingerNanos
        handlerDeadline = 0
        armTimer()
    }

    private func closeNow() {
        guard state != .closed else { return }
        if state == .lingering { server.lingeringCount.subtract(1, ordering: .relaxed) }
        state = .closed
        if timerID != 0 {
            loop.cancelTimer(timerID)
            timerID = 0
        }
        loop.deregister(fd: fd)
        Glibc.close(fd)
        let handler = self.handler
        self.handler = nil  // breaks the handler ↔ connection cycle
        handler?.closed(connection: self)
        onClose?(self)
        onClose = nil
    }

    // MARK: deadlines

    /// Sets (or clears, with nil) the handler's deadline, in monotonic nanoseconds.
    func setDeadline(_ deadline: UInt64?) {
        handlerDeadline = deadline ?? 0
        armTimer()
    }

    func setWriteDeadline() {
        writeDeadline = monotonicNanos() &+ server.configuration.writeTimeout.nanoseconds
        armTimer()
    }

    /// One timer per connection, armed for the earliest deadline. Deadlines that move later (every
    /// keep-alive request) do not touch the heap: the timer re-arms itself when it fires early.
    func armTimer() {
        func earliest(_ a: UInt64, _ b: UInt64) -> UInt64 { a == 0 ? b : (b == 0 ? a : Swift.min(a, b)) }
        let next = earliest(earliest(handlerDeadline, writeDeadline), lingerDeadline)
        if next == 0 { return }
        if timerID != 0 && timerArmedAt <= next { return }
        if timerID != 0 { loop.cancelTimer(timerID) }
        timerArmedAt = next
        timerID = loop.scheduleTimer(at: next) { [self] in timerFired() }
    }

    private func timerFired() {
        timerID = 0
        timerArmedAt = 0
        guard state != .closed else { return }
        let now = monotonicNanos()
        if lingerDeadline != 0 && lingerDeadline <= now { closeNow(); return }
        if writeDeadline != 0 && writeDeadline <= now && !output.isEmpty { closeNow(); return }
        if writeDeadline != 0 && output.isEmpty { writeDeadline = 0 }
        if handlerDeadline != 0 && handlerDeadline <= now {
            handlerDeadline = 0
            // Without a handler the deadline is the TLS handshake timeout.
            if state == .open, let handler { handler.deadlineExpired(connection: self) } else { closeNow() }
            if state == .closed { return }
        }
        armTimer()
    }
}
