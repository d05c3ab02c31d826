/// Coalesces jobs of one kind (e.g. "score with head X") into batch calls on a `ModelWorker`.
/// `execute` receives every input queued since the last run (up to `maxBatchCost`) and returns one
/// result per input, in order; it runs on the worker thread only.
final class Batcher<Input: Sendable, Output: Sendable>: AnyBatcherQueue, @unchecked Sendable {
    // @unchecked: `pending` is only touched under the worker's lock (enqueue/takeBatch).
    typealias Execute = @Sendable ([Input]) -> [Result<Output, ScoringError>]

    private struct Pending {
        let input: Input
        let cost: Int
        let continuation: CheckedContinuation<Output, any Error>
    }

    private let worker: ModelWorker
    private let maxBatchCost: Int
    private let execute: Execute
    private var pending: [Pending] = []

    init(worker: ModelWorker, maxBatchCost: Int = 1024, execute: @escaping Execute) {
        self.worker = worker
        self.maxBatchCost = maxBatchCost
        self.execute = execute
    }

    /// Queues `input` (weighing `cost`, e.g. its item count) and waits for its result.
    func submit(_ input: Input, cost: Int = 1) async throws -> Output {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Output, any Error>) in
            do {
                try worker.enqueue(self, cost: cost) { pending.append(Pending(input: input, cost: cost, continuation: c)) }
            } catch {
                c.resume(throwing: error)
            }
        }
    }

    /// Runs `input` alone on the calling thread, as a batch of one: for work too small to be worth the
    /// hand-off to the worker thread (see `RewardService+Inline`). Same math, same result.
    func runHere(_ input: Input) -> Result<Output, ScoringError> { execute([input])[0] }

    override var hasPending: Bool { !pending.isEmpty }

    override func takeBatch() -> (cost: Int, run: () -> Void) {
        // Always take at least one job, then as many as fit in the batch budget.
        var take = 1
        var cost = pending[0].cost
        while take < pending.count, cost + pending[take].cost <= maxBatchCost {
            cost += pending[take].cost
            take += 1
        }
        let jobs = Array(pending.prefix(take))
        pending.removeFirst(take)
        let execute = self.execute
        return (cost, {
            let results = execute(jobs.map(\.input))
            precondition(results.count == jobs.count, "a batch must return one result per input")
            for (job, result) in zip(jobs, results) { job.continuation.resume(with: result.mapError { $0 as any Error }) }
        })
    }
}
