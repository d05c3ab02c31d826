/// Coalesces jobs of one kind (e.g. "score with head X") into batch calls on a `ModelWorker`.
/// `execute` receives every input queued since the last run (up to `maxBatchCost`) and returns one
/// result per input, in order; it runs on the worker thread only. Long batches may be run in two
/// halves (`BatchSplitting`), the first half answered before the second computes.
final class Batcher<Input: Sendable, Output: Sendable>: AnyBatcherQueue, @unchecked Sendable {
    // @unchecked: `pending` and `pendingCost` are only touched under the worker's lock
    // (enqueue/takeBatch); `secondsPerCost` and `lastWasSplit` only on the worker thread (takeBatch and
    // the batch run).
    typealias Execute = @Sendable ([Input]) -> [Result<Output, ScoringError>]

    private struct Pending {
        let input: Input
        let cost: Int
        let continuation: CheckedContinuation<Output, any Error>
    }

    private let worker: ModelWorker
    private let maxBatchCost: Int
    private let execute: Execute
    private let splitting: BatchSplitting
    private var pending: [Pending] = []
    private var pendingCost = 0
    /// Measured seconds per unit of cost of the recent batches (a moving average).
    private var secondsPerCost: Double?
    private var lastWasSplit = false

    init(worker: ModelWorker, maxBatchCost: Int = 1024, splitting: BatchSplitting = .init(), execute: @escaping Execute) {
        self.worker = worker
        self.maxBatchCost = maxBatchCost
        self.splitting = splitting
        self.execute = execute
    }

    /// Queues `input` (weighing `cost`, e.g. its item count) and waits for its result.
    func submit(_ input: Input, cost: Int = 1) async throws -> Output {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Output, any Error>) in
            do {
                try worker.enqueue(self, cost: cost) {
                    pending.append(Pending(input: input, cost: cost, continuation: c))
                    pendingCost += cost
                }
            } catch {
                c.resume(throwing: error)
            }
        }
    }

    override var hasPending: Bool { !pending.isEmpty }

    override func takeBatch() -> (cost: Int, run: () -> Void) {
        let budget = lastWasSplit ? maxBatchCost
            : splitting.budget(queuedCost: pendingCost, maxBatchCost: maxBatchCost, secondsPerCost: secondsPerCost)
        lastWasSplit = budget < maxBatchCost
        // Always take at least one job, then as many as fit in the budget.
        var take = 1
        var cost = pending[0].cost
        while take < pending.count, cost + pending[take].cost <= budget {
            cost += pending[take].cost
            take += 1
        }
        let jobs = Array(pending.prefix(take))
        pending.removeFirst(take)
        pendingCost -= cost
        let execute = self.execute
        return (cost, {
            let start = ContinuousClock.now
            let results = execute(jobs.map(\.input))
            precondition(results.count == jobs.count, "a batch must return one result per input")
            self.record(cost: cost, seconds: (ContinuousClock.now - start) / .seconds(1))
            for (job, result) in zip(jobs, results) { job.continuation.resume(with: result.mapError { $0 as any Error }) }
        })
    }

    private func record(cost: Int, seconds: Double) {
        let pace = seconds / Double(max(cost, 1))
        secondsPerCost = secondsPerCost.map { 0.75 * $0 + 0.25 * pace } ?? pace
    }
}
