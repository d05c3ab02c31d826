import Locking

/// The producer side of a streamed request body, with backpressure: the connection appends chunks
/// as they are parsed and stops reading while more than `highWatermark` bytes wait for the consumer;
/// the consumer's reads call `onDrained` (once) when the backlog falls to half of it.
final class RequestBodySource: Sendable {
    private struct State {
        var queue = ChunkQueue()
        var finished = false
        var failure: RequestBodyError?
        var waiter: CheckedContinuation<[UInt8]?, any Error>?
        var producerPaused = false
    }
    private let state = Locked(State())
    private let highWatermark: Int
    private let onDrained: @Sendable () -> Void
    private let peak: PeakGauge?

    init(highWatermark: Int, peak: PeakGauge? = nil, onDrained: @escaping @Sendable () -> Void) {
        self.highWatermark = highWatermark
        self.peak = peak
        self.onDrained = onDrained
    }

    /// Producer: queue `bytes`. Returns true when the producer should pause (backlog too large).
    func append(_ bytes: [UInt8]) -> Bool {
        let (waiter, pause) = state.withLock { state -> (CheckedContinuation<[UInt8]?, any Error>?, Bool) in
            if let waiter = state.waiter {
                state.waiter = nil
                return (waiter, false)
            }
            state.queue.append(bytes)
            if state.queue.bytes > highWatermark { state.producerPaused = true }
            return (nil, state.producerPaused)
        }
        waiter?.resume(returning: bytes)
        // The backlog is largest when the producer has to pause: sample what the queue holds then.
        if pause, let peak { peak.observe(retainedBytes) }
        return pause
    }

    /// Producer: the body is complete (nil) or broken.
    func finish(_ failure: RequestBodyError? = nil) {
        let waiter = state.withLock { state -> CheckedContinuation<[UInt8]?, any Error>? in
            guard !state.finished else { return nil }
            state.finished = true
            state.failure = failure
            defer { state.waiter = nil }
            return state.waiter
        }
        if let failure { waiter?.resume(throwing: failure) } else { waiter?.resume(returning: nil) }
    }

    /// Bytes the queue keeps alive: every chunk its storage still references, consumed or not
    /// (what memory the source costs, as opposed to `buffered`, the unread backlog).
    var retainedBytes: Int {
        state.withLock { $0.queue.retainedBytes }
    }

    /// Consumer: the next chunk, nil at the end.
    func next() async throws -> [UInt8]? {
        try await withCheckedThrowingContinuation { continuation in
            enum Outcome { case chunk([UInt8], resumeProducer: Bool), end(RequestBodyError?), wait }
            let outcome = state.withLock { state -> Outcome in
                if let chunk = state.queue.pop() {
                    var resume = false
                    if state.producerPaused && state.queue.bytes <= highWatermark / 2 {
                        state.producerPaused = false
                        resume = true
                    }
                    return .chunk(chunk, resumeProducer: resume)
                }
                if state.finished { return .end(state.failure) }
                state.waiter = continuation
                return .wait
            }
            switch outcome {
            case .chunk(let chunk, let resumeProducer):
                if resumeProducer { onDrained() }
                continuation.resume(returning: chunk)
            case .end(let failure?):
                continuation.resume(throwing: failure)
            case .end(nil):
                continuation.resume(returning: nil)
            case .wait:
                break
            }
        }
    }
}
