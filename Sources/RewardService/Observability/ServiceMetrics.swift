import CoreMetrics
import Metrics

/// The domain's instruments, created once through the swift-metrics API (the executable chooses the
/// backend, tests pass their own factory). Names follow Prometheus conventions; labels are bounded.
struct ServiceMetrics: Sendable {
    let userCacheHits: Counter
    let userCacheMisses: Counter
    let embeddingCacheHits: Counter
    let embeddingCacheMisses: Counter
    /// Stored (`mode=stored`) and stateless (`mode=stateless`) few-shot fits, end to end.
    let adaptStored: Timer
    let adaptStateless: Timer
    /// Model work (items) waiting for the worker; sampled when metrics are collected.
    let queuedModelWork: Gauge
    let overloadRejections: Counter

    init(factory: any MetricsFactory) {
        userCacheHits = Counter(label: "reward_user_state_cache_requests_total", dimensions: [("result", "hit")], factory: factory)
        userCacheMisses = Counter(label: "reward_user_state_cache_requests_total", dimensions: [("result", "miss")], factory: factory)
        embeddingCacheHits = Counter(label: "reward_embedding_cache_requests_total", dimensions: [("result", "hit")], factory: factory)
        embeddingCacheMisses = Counter(label: "reward_embedding_cache_requests_total", dimensions: [("result", "miss")], factory: factory)
        adaptStored = Timer(label: "reward_adapt_duration_seconds", dimensions: [("mode", "stored")], factory: factory)
        adaptStateless = Timer(label: "reward_adapt_duration_seconds", dimensions: [("mode", "stateless")], factory: factory)
        queuedModelWork = Gauge(label: "reward_model_queued_items", dimensions: [], factory: factory)
        overloadRejections = Counter(label: "reward_model_rejected_total", dimensions: [], factory: factory)
    }
}

extension Timer {
    func record(since start: ContinuousClock.Instant) {
        recordNanoseconds((ContinuousClock.now - start).totalNanoseconds)
    }
}

extension RewardService {
    /// Samples the gauges that describe current state (queued model work) so a scrape sees fresh values.
    public func collectMetrics() {
        metrics.queuedModelWork.record(worker.queuedCostNow)
    }
}
