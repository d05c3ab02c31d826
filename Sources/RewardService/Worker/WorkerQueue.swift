/// Runs closures one at a time on the model worker (adapt, preparation, encoding, next-comparison):
/// work that gains nothing from coalescing but must not run on the caller's thread.
struct WorkerQueue: Sendable {
    private let batcher: Batcher<@Sendable () -> Void, Void>

    init(worker: ModelWorker) {
        batcher = Batcher(worker: worker, maxBatchCost: 1) { jobs in
            jobs.map { job in
                job()
                return .success(())
            }
        }
    }

    func run<T: Sendable>(cost: Int = 1, _ body: @escaping @Sendable () throws -> T) async throws(ScoringError) -> T {
        let box = ResultBox<T>()
        do {
            try await batcher.submit({ box.set(Result { try body() }) }, cost: cost)
        } catch {
            throw ScoringError(error)
        }
        switch box.take() {
        case .success(let v): return v
        case .failure(let e): throw ScoringError(e)
        }
    }
}

/// Hands a value from the worker thread back to the awaiting task (set before the job completes).
final class ResultBox<T: Sendable>: @unchecked Sendable {
    // @unchecked: written once on the worker before the job's continuation resumes, read after.
    private var value: Result<T, any Error>?
    func set(_ v: Result<T, any Error>) { value = v }
    func take() -> Result<T, any Error> { value! }
}
