import CoreMetrics
import Metrics
import Prometheus

/// The process-wide metrics backend of `reward serve`: swift-metrics → a Prometheus registry that
/// `GET /metrics` renders. Modules only see the swift-metrics API.
enum MetricsSetup {
    /// Latency buckets for request and store timers: scoring answers in well under a millisecond, adapt
    /// and store round trips take milliseconds, so the library default (from 5 ms) would hide the fast path.
    static let latencyBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .microseconds(2500),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .microseconds(2_500_000), .seconds(5), .seconds(10),
    ]

    /// A factory on `registry` with this service's buckets (tests pass their own registry).
    static func factory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = latencyBuckets
        return factory
    }

    /// Bootstraps swift-metrics (once per process) and returns the renderer for `/metrics`.
    static func bootstrapPrometheus() -> @Sendable () -> [UInt8] {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(factory(registry: registry))
        return { Self.render(registry) }
    }

    static func render(_ registry: PrometheusCollectorRegistry) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16 * 1024)
        registry.emit(into: &buffer)
        return buffer
    }
}
