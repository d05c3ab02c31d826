import RewardModel

extension ServedHead {
    /// True when `items` rows of this head cost at most `budget` multiply-adds.
    func computesInline(items: Int, budget: Int) -> Bool {
        items <= budget / max(1, head.multiplyAddsPerItem)
    }
}

extension RewardService {
    /// Runs a scoring job: on the calling thread when it is tiny, otherwise coalesced on the model
    /// worker (where admission control and cross-request batching apply).
    ///
    /// Why: a light head scores an item in a few microseconds, while the trip to the worker and back
    /// costs two thread hand-offs (futex wake-ups, context switches), about as much again as the
    /// math. The default budget (2¹⁸ multiply-adds, ≈ 5–50 µs on one core) keeps the caller (a task
    /// on Swift's cooperative pool) from being held for long. The inline path runs the batcher's
    /// own batch function on a batch of one, so both paths give the same numbers and errors.
    func compute<I, O>(_ batcher: Batcher<I, O>, _ input: I, cost: Int, on head: ServedHead) async throws(ScoringError) -> O {
        guard head.computesInline(items: cost, budget: configuration.inlineWorkBudget) else {
            return try await submit(batcher, input, cost: cost)
        }
        let started = ContinuousClock.now
        defer { RequestTiming.current?.add(.compute, nanoseconds: (ContinuousClock.now - started).totalNanoseconds) }
        return try batcher.runHere(input).get()
    }
}
