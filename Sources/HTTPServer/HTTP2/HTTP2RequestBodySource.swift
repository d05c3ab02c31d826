import Locking

/// The request body of one HTTP/2 stream, handed to the responder as an `AsyncThrowingStream`
/// that pulls from here. Every chunk the responder takes is reported through `onConsumed`, so
/// the connection widens the flow-control window only as fast as the body is actually read:
/// a slow handler slows the upload instead of growing a buffer.
/// The connection thread appends; the responder's task takes.
final class HTTP2RequestBodySource: Sendable {
    private struct State {
        var queue = ChunkQueue()
        var finished = false
        var failure: (any Error)?
        var waiter: CheckedContinuation<[UInt8]?, any Error>?
    }

    /// A pthread mutex (`Locked`): the two threads' hand-over stays visible to ThreadSanitizer.
    private let state = Locked(State())
    private let onConsumed: @Sendable (Int) -> Void
    private let peak: PeakGauge?

    init(peak: PeakGauge? = nil, onConsumed: @escaping @Sendable (Int) -> Void) {
        self.peak = peak
        self.onConsumed = onConsumed
    }

    var asyncStream: AsyncThrowingStream<[UInt8], any Error> {
        AsyncThrowingStream(unfolding: { [self] in try await self.next() })
    }

    /// A chunk of DATA received from the peer (connection thread).
    func append(_ chunk: [UInt8]) {
        let (waiter, buffered) = state.withLock { s -> (CheckedContinuation<[UInt8]?, any Error>?, Int) in
            guard !s.finished, s.failure == nil else { return (nil, 0) }
            if let waiter = s.waiter {
                s.waiter = nil
                return (waiter, 0)
            }
            s.queue.append(chunk)
            return (nil, s.queue.bytes)
        }
        // Consumed slots are emptied at once (`pop`), so the backlog is all the memory held here.
        peak?.observe(buffered)
        if let waiter {
            onConsumed(chunk.count)
            waiter.resume(returning: chunk)
        }
    }

    /// END_STREAM: the body is complete.
    func finish() {
        let waiter = state.withLock { s -> CheckedContinuation<[UInt8]?, any Error>? in
            s.finished = true
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// The stream ended early or the body broke a limit. Returns the bytes dropped unread,
    /// which the connection still has to return to the connection-level window.
    @discardableResult
    func fail(_ error: any Error) -> Int {
        let (waiter, dropped) = state.withLock { s -> (CheckedContinuation<[UInt8]?, any Error>?, Int) in
            let dropped = s.queue.removeAll()
            if !s.finished || dropped > 0 { s.failure = error }
            s.finished = true
            defer { s.waiter = nil }
            return (s.waiter, dropped)
        }
        waiter?.resume(throwing: error)
        return dropped
    }

    func next() async throws -> [UInt8]? {
        enum Step { case chunk([UInt8]), end, fail(any Error), wait }
        return try await withCheckedThrowingContinuation { continuation in
            let step = state.withLock { s -> Step in
                if let chunk = s.queue.pop() { return .chunk(chunk) }
                if let failure = s.failure { return .fail(failure) }
                if s.finished { return .end }
                precondition(s.waiter == nil, "a request body is read by one task at a time")
                s.waiter = continuation
                return .wait
            }
            switch step {
            case .chunk(let chunk):
                onConsumed(chunk.count)
                continuation.resume(returning: chunk)
            case .end: continuation.resume(returning: nil)
            case .fail(let error): continuation.resume(throwing: error)
            case .wait: break
            }
        }
    }
}
