import RewardModel
import Tensors

/// A loaded head plus its model-worker batchers. Concurrent score/compare/rank requests for this
/// head are coalesced into one shared-head pass; adapt and preparation run on the same worker.
public final class ServedHead: Sendable {
    public let name: String
    public let head: RewardHead
    public let version: String
    public let featureSpace: String
    let scoreBatcher: Batcher<ItemsJob, [Double]>
    let rankBatcher: Batcher<ItemsJob, Ranking>
    let compareBatcher: Batcher<PairsJob, [PairPreference]>
    let exclusive: Batcher<@Sendable () -> Void, Void>

    init(name: String, head: RewardHead, worker: ModelWorker, maxBatchItems: Int) {
        self.name = name
        self.head = head
        version = head.config.version ?? "1"
        let backbone = head.config.backbone?.name ?? "features"
        featureSpace = "\(backbone)/\(head.featureDim)"
        let d = head.featureDim
        scoreBatcher = Batcher(worker: worker, maxBatchCost: maxBatchItems) { jobs in
            ServedHead.run(jobs) { try head.score(BatchAssembler.items($0, featureDim: d)) }
        }
        rankBatcher = Batcher(worker: worker, maxBatchCost: maxBatchItems) { jobs in
            ServedHead.run(jobs) { try head.rank(BatchAssembler.items($0, featureDim: d)) }
        }
        compareBatcher = Batcher(worker: worker, maxBatchCost: maxBatchItems) { jobs in
            ServedHead.run(jobs) { jobs in
                let (batch, spans) = BatchAssembler.pairs(jobs, featureDim: d)
                let out = try head.compare(batch)
                return spans.map { span in span.flatMap { out[$0] } }
            }
        }
        // Work that must not be coalesced (adapt, prepare, next-comparison): one closure per job.
        exclusive = Batcher(worker: worker, maxBatchCost: 1) { jobs in
            jobs.map { job in
                job()
                return .success(())
            }
        }
    }

    /// Runs a coalesced batch; if it fails, runs each job alone so one bad request cannot fail the
    /// others that happened to share its batch.
    static func run<Job, Out>(_ jobs: [Job], _ body: ([Job]) throws -> [Out]) -> [Result<Out, ScoringError>] {
        do {
            return try body(jobs).map { .success($0) }
        } catch {
            guard jobs.count > 1 else { return [.failure(ScoringError(error))] }
            return jobs.map { job in
                do { return .success(try body([job])[0]) } catch { return .failure(ScoringError(error)) }
            }
        }
    }

    /// Runs `body` on the model worker thread (never on the caller's thread) and returns its value.
    func onWorker<T: Sendable>(cost: Int = 1, _ body: @escaping @Sendable () throws -> T) async throws(ScoringError) -> T {
        let box = ResultBox<T>()
        do {
            try await exclusive.submit({ box.set(Result { try body() }) }, cost: cost)
        } catch {
            throw ScoringError(error)
        }
        switch box.take() {
        case .success(let v): return v
        case .failure(let e): throw ScoringError(e)
        }
    }

    public var info: HeadInfo {
        HeadInfo(
            name: name, kind: head.kind.rawValue, featureDim: head.featureDim, promptDim: head.promptDim,
            stateDim: head.stateDim, isDefault: false, version: version, featureSpace: featureSpace,
            backbone: head.config.backbone?.name, parameterCount: head.parameterCount, seenUsers: head.seenUsers.count)
    }
}

/// Hands a value from the worker thread back to the awaiting task (set before the job completes).
final class ResultBox<T: Sendable>: @unchecked Sendable {
    // @unchecked: written once on the worker before the job's continuation resumes, read after.
    private var value: Result<T, any Error>?
    func set(_ v: Result<T, any Error>) { value = v }
    func take() -> Result<T, any Error> { value! }
}
