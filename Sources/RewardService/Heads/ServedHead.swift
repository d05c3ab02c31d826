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
    let exclusive: WorkerQueue

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
        exclusive = WorkerQueue(worker: worker)
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
        try await RequestTiming.measure(.compute) { () async throws(ScoringError) in try await exclusive.run(cost: cost, body) }
    }

    public var info: HeadInfo {
        HeadInfo(
            name: name, kind: head.kind.rawValue, featureDim: head.featureDim, promptDim: head.promptDim,
            requiresPrompt: head.requiresPrompt, stateDim: head.stateDim, isDefault: false, version: version, featureSpace: featureSpace,
            backbone: head.config.backbone?.name, parameterCount: head.parameterCount, seenUsers: head.seenUsers.count,
            adaptPrior: head.kind.isPersonalized ? head.config.defaultAdaptPrior : nil)
    }
}

