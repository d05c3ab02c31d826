import Foundation
import Metrics
import PreferenceStore
import RewardModel
import Tensors

/// The domain: heads, users' states and histories, the model worker. No HTTP, no SQL — `RewardAPI`
/// calls it with domain requests; `PreferenceStore` keeps what must survive.
public final class RewardService: Sendable {
    public struct Configuration: Sendable {
        public var maxItemsPerRequest = 4096
        /// Most items coalesced into one shared-head pass.
        public var maxBatchItems = 1024
        /// Queued model work (items) before requests get `.overloaded` (429).
        public var maxQueuedItems = 65_536
        /// Most multiply-adds a score/rank/compare request may need and still be computed on the
        /// calling thread rather than the model worker (0: always the worker). See `RewardService+Inline`.
        public var inlineWorkBudget = 1 << 18
        public var userCacheSize = 100_000
        /// Cached shared-head outputs of stored comparisons (adapt after a new label reuses them).
        public var preparedCacheSize = 500_000
        public var embeddingCacheSize = 50_000
        /// Most recent comparisons an adapt fits on.
        public var maxHistoryForAdapt = 20_000
        /// Where the domain's metrics go (the process-wide backend unless a test passes its own).
        public var metricsFactory: any MetricsFactory = MetricsSystem.factory
        public init() {}
    }

    public let configuration: Configuration
    public let catalog: HeadCatalog
    let worker: ModelWorker
    let store: any PreferenceStore
    let users: UserStates
    let features: FeatureResolver
    public let encoder: (any TextEmbedder)?
    let general: WorkerQueue
    let metrics: ServiceMetrics
    private let listener: Task<Void, Never>

    public init(store: any PreferenceStore, encoder: (any TextEmbedder)? = nil, configuration: Configuration = .init()) {
        self.configuration = configuration
        self.store = store
        self.encoder = encoder
        let metrics = ServiceMetrics(factory: configuration.metricsFactory)
        self.metrics = metrics
        worker = ModelWorker(configuration: .init(maxQueuedCost: configuration.maxQueuedItems))
        general = WorkerQueue(worker: worker)
        catalog = HeadCatalog(worker: worker, maxBatchItems: configuration.maxBatchItems)
        let users = UserStates(store: store, cacheSize: configuration.userCacheSize,
                               preparedCacheSize: configuration.preparedCacheSize, maxHistory: configuration.maxHistoryForAdapt,
                               metrics: metrics)
        self.users = users
        features = FeatureResolver(encoder: encoder, cache: LRUCache(capacity: configuration.embeddingCacheSize), metrics: metrics)
        let changes = store.stateChanges()
        listener = Task.detached {
            for await change in changes { users.apply(change) }
        }
    }

    /// Loads heads from directories (replacing the current set atomically).
    public func loadHeads(_ sources: [HeadCatalog.Source], defaultName: String? = nil) throws(ScoringError) {
        try catalog.load(sources, defaultName: defaultName)
    }

    /// Serves in-memory heads (tests, benchmarks).
    public func installHeads(_ heads: [(name: String, head: RewardHead)], defaultName: String? = nil) throws(ScoringError) {
        var served: [String: ServedHead] = [:]
        for (name, head) in heads {
            served[name] = ServedHead(name: name, head: head, worker: worker, maxBatchItems: configuration.maxBatchItems)
        }
        try catalog.install(served, order: heads.map(\.name), defaultName: defaultName)
    }

    deinit {
        listener.cancel()
        worker.shutdown()
    }

    public func shutdown() async {
        listener.cancel()
        worker.shutdown()
    }

    // MARK: scoring

    public func score(_ q: ScoreQuery) async throws(ScoringError) -> ScoreResult {
        let head = try catalog.head(q.head)
        if head.head.kind == .gpm && q.reference == nil && q.items.count < 2 {
            throw ScoringError(.invalidInput, "a gpm head scores against a \"reference\" item or the other items: send at least 2 items",
                               pointer: "/items")
        }
        let resolved = try await resolveItems(q, head: head)
        let scores = try await compute(head.scoreBatcher, resolved.job, cost: resolved.job.count, on: head)
        return ScoreResult(scores: scores, head: head.name, user: resolved.summary)
    }

    public func rank(_ q: ScoreQuery) async throws(ScoringError) -> RankResult {
        let head = try catalog.head(q.head)
        let resolved = try await resolveItems(q, head: head)
        let r = try await compute(head.rankBatcher, resolved.job, cost: resolved.job.count, on: head)
        return RankResult(order: r.order, scores: r.scores, probability: r.probability, head: head.name, user: resolved.summary)
    }

    public func compare(_ q: CompareQuery) async throws(ScoringError) -> CompareResult {
        let head = try catalog.head(q.head)
        let (theta, summary) = try await state(for: q.user, head: head)
        let single = q.pairs.count == 1
        var slots: [FeatureResolver.Slot] = []
        for (i, p) in q.pairs.enumerated() {
            let base = single ? "" : "/pairs/\(i)"
            slots.append(.init(item: p.a, pointer: base + "/a", dimension: head.head.featureDim))
            slots.append(.init(item: p.b, pointer: base + "/b", dimension: head.head.featureDim))
        }
        let vectors = try await features.resolve(slots, head: head)
        let prompts = try await resolvePrompts(q.pairs.enumerated().map { i, p in (p.prompt, (single ? "" : "/pairs/\(i)") + "/prompt") }, head: head)
        let job = PairsJob(rows: vectors.flatMap { $0 }, pairCount: q.pairs.count, prompts: prompts, state: theta)
        let out = try await compute(head.compareBatcher, job, cost: 2 * q.pairs.count, on: head)
        return CompareResult(results: out.map { Preference(pA: $0.probability, margin: $0.margin) }, head: head.name, user: summary)
    }

    public func nextComparison(_ q: NextComparisonQuery) async throws(ScoringError) -> NextComparisonResult {
        let head = try catalog.head(q.head)
        let (theta, summary) = try await state(for: q.user, head: head)
        let d = head.head.featureDim
        let slots = q.candidates.enumerated().map { FeatureResolver.Slot(item: $1, pointer: "/candidates/\($0)", dimension: d) }
        let vectors = try await features.resolve(slots, head: head)
        let prompt = try await resolvePrompts([(q.prompt, "/prompt")], head: head)[0]
        let model = head.head
        let candidates = Matrix(rows: vectors.count, cols: d, values: vectors.flatMap { $0 })
        let next = try await head.onWorker(cost: vectors.count) {
            try model.nextComparison(prompt: prompt, candidates: candidates, state: theta, prior: model.config.defaultAdaptPrior)
        }
        return NextComparisonResult(a: next.a, b: next.b, expectedGain: next.expectedGain, pA: next.probability,
                                    head: head.name, user: summary)
    }

    /// Embeds texts with the built-in encoder (through the embedding cache).
    public func embed(_ texts: [String]) async throws(ScoringError) -> (vectors: [[Float]], model: String) {
        guard let encoder else {
            throw ScoringError(.encoderMissing, "no text encoder is configured; start the service with --encoder DIR", pointer: "/texts")
        }
        let vectors = try await features.embed(texts, on: general)
        return (vectors, encoder.modelName)
    }

    public var heads: [HeadInfo] { catalog.infos }

    public func head(named name: String) throws(ScoringError) -> HeadInfo {
        let h = try catalog.head(name)
        return catalog.infos.first { $0.name == h.name } ?? h.info
    }

    /// Ready when heads are loaded and the store answers.
    public func checkReady() async throws(ScoringError) {
        guard !catalog.isEmpty else { throw ScoringError(.unavailable, "no head is loaded") }
        try await storeCall { try await store.checkHealth() }
    }
}
