import Foundation

/// The one thread that runs model math (TEI's backend thread). BLAS is not re-entrant-friendly and
/// must not block event loops or Swift's cooperative pool, so every score/compare/adapt is a job
/// here. Work is batched continuously: when the thread is idle a job runs at once; while it is busy,
/// jobs that queue for the same `Batcher` are coalesced into one call (one sgemm) when it frees up.
/// Admission is bounded by queued cost (items): past the limit `submit` throws `.overloaded` → 429.
public final class ModelWorker: @unchecked Sendable {
    // @unchecked: all mutable state is guarded by `condition`.
    public struct Configuration: Sendable {
        /// Most queued cost (items or comparisons) before new work is refused.
        public var maxQueuedCost: Int = 65_536
        public init(maxQueuedCost: Int = 65_536) { self.maxQueuedCost = maxQueuedCost }
    }

    private let condition = NSCondition()
    private var ready: [AnyBatcherQueue] = []  // batchers with queued jobs, FIFO fairness
    private var queuedCost = 0
    private var stopping = false
    private var thread: Thread?
    public let configuration: Configuration

    public init(configuration: Configuration = .init(), name: String = "model-worker") {
        self.configuration = configuration
        // The thread holds the worker until `shutdown` ends its loop (the owner calls it in deinit).
        let t = Thread {
            Thread.current.name = name  // Foundation on Linux names the OS thread (ps -L) only from the thread itself
            self.loop()
        }
        t.name = name
        t.stackSize = 8 << 20
        thread = t
        t.start()
    }

    /// Stops after the queued work finishes.
    public func shutdown() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    public var queuedCostNow: Int {
        condition.lock()
        defer { condition.unlock() }
        return queuedCost
    }

    func enqueue(_ queue: AnyBatcherQueue, cost: Int, push: () -> Void) throws(ScoringError) {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else { throw ScoringError(.unavailable, "the model worker is shutting down") }
        guard queuedCost == 0 || queuedCost + cost <= configuration.maxQueuedCost else {
            throw ScoringError(.overloaded, "too much queued model work (\(queuedCost) items); retry shortly")
        }
        queuedCost += cost
        push()
        if !queue.isScheduled {
            queue.isScheduled = true
            ready.append(queue)
        }
        condition.signal()
    }

    private func loop() {
        while true {
            condition.lock()
            while ready.isEmpty && !stopping { condition.wait() }
            if ready.isEmpty && stopping {
                condition.unlock()
                return
            }
            let queue = ready.removeFirst()
            let batch = queue.takeBatch()
            queuedCost -= batch.cost
            if queue.hasPending {
                ready.append(queue)  // more than one batch queued: go round-robin
            } else {
                queue.isScheduled = false
            }
            condition.unlock()
            batch.run()
        }
    }
}

/// Type-erased view of a `Batcher`'s queue; only touched under the worker's lock.
class AnyBatcherQueue: @unchecked Sendable {
    var isScheduled = false
    var hasPending: Bool { fatalError("abstract") }
    func takeBatch() -> (cost: Int, run: () -> Void) { fatalError("abstract") }
}
