import CoreMetrics
import Metrics
import Locking

/// The API's instruments, through the swift-metrics API: request count and latency by route
/// template, method and status; errors by problem type; items scored; in-flight requests. Labels are
/// templates, never ids, so cardinality stays bounded. Instruments are created once per label set
/// and reused (a dictionary lookup per request).
final class APIMetrics: Sendable {
    private struct RouteKey: Hashable {
        var template: String
        var method: String
        var status: Int
    }

    private struct RouteInstruments: Sendable {
        let requests: Counter
        let duration: Timer
    }

    static let requestsLabel = "reward_http_requests_total"
    static let durationLabel = "reward_http_request_duration_seconds"

    private let factory: any MetricsFactory
    private let routes = Locked<[RouteKey: RouteInstruments]>([:])
    private let errors = Locked<[Int: Counter]>([:])
    private let items: Counter
    let inFlight: Gauge
    let inFlightRejections: Counter
    let headReloads: Counter
    let failedHeadReloads: Counter

    init(factory: any MetricsFactory) {
        self.factory = factory
        items = Counter(label: "reward_items_scored_total", dimensions: [], factory: factory)
        inFlight = Gauge(label: "reward_http_in_flight_requests", dimensions: [], factory: factory)
        inFlightRejections = Counter(label: "reward_http_in_flight_rejections_total", dimensions: [], factory: factory)
        headReloads = Counter(label: "reward_head_reloads_total", dimensions: [("result", "ok")], factory: factory)
        failedHeadReloads = Counter(label: "reward_head_reloads_total", dimensions: [("result", "failed")], factory: factory)
    }

    func record(template: String, method: String, status: Int, duration: Duration) {
        let key = RouteKey(template: template, method: method, status: status)
        let instruments = routes.withLock { table in
            if let found = table[key] { return found }
            let dimensions = [("route", template), ("method", method), ("status", String(status))]
            let made = RouteInstruments(
                requests: Counter(label: Self.requestsLabel, dimensions: dimensions, factory: factory),
                duration: Timer(label: Self.durationLabel, dimensions: dimensions, factory: factory))
            table[key] = made
            return made
        }
        instruments.requests.increment()
        instruments.duration.recordNanoseconds(duration.totalNanoseconds)
        if status >= 400 { error(status: status) }
    }

    /// Error responses by RFC 9457 problem type (one type per status here) and status.
    private func error(status: Int) {
        let counter = errors.withLock { table in
            if let found = table[status] { return found }
            let made = Counter(label: "reward_http_errors_total",
                               dimensions: [("type", "/problems/\(Problem.slug(status))"), ("status", String(status))],
                               factory: factory)
            table[status] = made
            return made
        }
        counter.increment()
    }

    func itemsScored(_ n: Int) { items.increment(by: Int64(n)) }
}

extension Duration {
    var totalNanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
