/// The producer side of a streamed request body, with backpressure: the connection appends chunks
/// as they are parsed and stops reading while more than `highWatermark` bytes wait for the consumer;
/// the consumer's reads call `onDrained` (once) when the backlog falls to half of it.
final class RequestBodySource: Sendable {
    private struct State {
        /// Queued chunks from `head` on; slots before `head` are consumed and hold empty arrays.
        var chunks: [[UInt8]] = []
        var head = 0
        var buffered = 0
        var finished = false
        var failure: RequestBodyError?
        var waiter: CheckedContinuation<[UInt8]?, any Error>?
        var producerPaused = false

        /// Takes the oldest chunk. A consumed slot must give up its bytes at once: a consumer that
        /// is slower than the socket never lets the queue run empty, so a slot that kept its chunk
        /// until then would keep the whole body alive (the NDJSON memory growth).
        mutating func pop() -> [UInt8]? {
            guard head < chunks.count else { return nil }
            let chunk = chunks[head]
            chunks[head] = []
            head += 1
            if head == chunks.count {
                chunks.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 64 && head * 2 >= chunks.count {
                chunks.removeFirst(head)  // compact now and then: the slot array stays bounded too
                head = 0
            }
            buffered -= chunk.count
            return chunk
        }
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
            state.chunks.append(bytes)
            state.buffered += bytes.count
            if state.buffered > highWatermark { state.producerPaused = true }
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
        state.withLock { state in state.chunks.reduce(0) { $0 + $1.count } }
    }

    /// Consumer: the next chunk, nil at the end.
    func next() async throws -> [UInt8]? {
        try await withCheckedThrowingContinuation { continuation in
            enum Outcome { case chunk([UInt8], resumeProducer: Bool), end(RequestBodyError?), wait }
            let outcome = state.withLock { state -> Outcome in
                if let chunk = state.pop() {
                    var resume = false
                    if state.producerPaused && state.buffered <= highWatermark / 2 {
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
