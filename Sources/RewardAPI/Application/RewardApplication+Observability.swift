import HTTPServer
import Logging
import RewardService

extension RewardApplication {
    /// Metrics, `Server-Timing` and in-flight bookkeeping for a finished request.
    func observe(
        _ response: inout Response, method: HTTPMethod, template: String, started: ContinuousClock.Instant,
        timing: RequestTiming, permit: InFlightLimiter.Permit?
    ) {
        let total = ContinuousClock.now - started
        metrics.record(template: template, method: method.rawValue, status: response.status, duration: total)
        response.headers.replace("Server-Timing", Self.serverTiming(timing, total: total))
        // A streamed body keeps the request in flight until the transport drops it.
        if let permit, case .stream(let produce) = response.body {
            response.body = .stream { writer in
                withExtendedLifetime(permit) {}
                try await produce(writer)
            }
        }
    }

    /// `decode;dur=0.041, compute;dur=0.310, store;dur=1.204, total;dur=1.650` (milliseconds). For a
    /// streamed body the total is the time until the response head.
    static func serverTiming(_ timing: RequestTiming, total: Duration) -> String {
        var parts: [String] = []
        for phase in RequestTiming.Phase.allCases {
            if let n = timing.nanoseconds(phase) { parts.append("\(phase.name);dur=\(milliseconds(n))") }
        }
        parts.append("total;dur=\(milliseconds(total.totalNanoseconds))")
        return parts.joined(separator: ", ")
    }

    private static func milliseconds(_ nanos: Int64) -> String {
        let micros = nanos / 1000
        let fraction = String(micros % 1000)
        return "\(micros / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    /// The API logger tagged with the request's id (the transport adopted or assigned it).
    func logger(for request: Request) -> Logger {
        var tagged = logger
        tagged[metadataKey: "request.id"] = .string(request.headers["x-request-id"] ?? "-")
        return tagged
    }
}
