import Synchronization

/// Bounds the API requests being handled at once (`--max-in-flight`). Past the bound a request is
/// answered 429 at once instead of queueing behind the others; operational routes (health,
/// readiness, metrics, info, the contract, admin) are never refused, so probes and operators get
/// through an overload. A streamed response holds its permit until the stream is dropped.
final class InFlightLimiter: Sendable {
    /// Routes that are always admitted (cheap, or needed to diagnose and fix an overload).
    static let exemptTemplates: Set<String> = Set(["/healthz", "/readyz", "/metrics", "/info", "/openapi.yaml", "/v1/admin/heads:reload"])
        .union(RewardApplication.inlineIntegrationPaths.map(String.init))  // Label Studio health/setup budgets

    private let limit: Int
    private let count = Atomic<Int>(0)
    private let metrics: APIMetrics

    /// `limit` ≤ 0 admits everything.
    init(limit: Int, metrics: APIMetrics) {
        self.limit = limit
        self.metrics = metrics
    }

    var current: Int { count.load(ordering: .relaxed) }

    /// A permit for a request on `template`, nil when it is exempt; throws a 429 when full.
    func admit(template: String, retryAfter: Int) throws(Problem) -> Permit? {
        guard limit > 0, !Self.exemptTemplates.contains(template) else { return nil }
        let now = count.add(1, ordering: .relaxed).newValue
        guard now <= limit else {
            count.subtract(1, ordering: .relaxed)
            metrics.inFlightRejections.increment()
            var p = Problem(status: 429, title: "Overloaded",
                            detail: "more than \(limit) requests are in flight; retry after \(retryAfter) s")
            p.headers.add("Retry-After", String(retryAfter))
            throw p
        }
        return Permit(limiter: self)
    }

    fileprivate func release() { count.subtract(1, ordering: .relaxed) }

    /// Released when the last reference goes: at the end of `respond`, or with a streamed body.
    final class Permit: Sendable {
        private let limiter: InFlightLimiter
        fileprivate init(limiter: InFlightLimiter) { self.limiter = limiter }
        deinit { limiter.release() }
    }
}
