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
        // Built as bytes: this runs for every request, and string interpolation allocates per piece.
        var out: [UInt8] = []
        out.reserveCapacity(96)
        for phase in RequestTiming.Phase.allCases {
            guard let n = timing.nanoseconds(phase) else { continue }
            out.append(contentsOf: phase.name.utf8)
            appendDuration(n, to: &out)
            out.append(contentsOf: ", ".utf8)
        }
        out.append(contentsOf: "total".utf8)
        appendDuration(total.totalNanoseconds, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `;dur=` and the milliseconds with three decimals (`;dur=12.345`).
    private static func appendDuration(_ nanos: Int64, to out: inout [UInt8]) {
        out.append(contentsOf: ";dur=".utf8)
        let micros = max(0, nanos / 1000)
        appendDecimal(micros / 1000, to: &out)
        out.append(UInt8(ascii: "."))
        let fraction = micros % 1000
        out.append(UInt8(ascii: "0") + UInt8(fraction / 100))
        out.append(UInt8(ascii: "0") + UInt8(fraction / 10 % 10))
        out.append(UInt8(ascii: "0") + UInt8(fraction % 10))
    }

    private static func appendDecimal(_ value: Int64, to out: inout [UInt8]) {
        if value >= 10 { appendDecimal(value / 10, to: &out) }
        out.append(UInt8(ascii: "0") + UInt8(value % 10))
    }

    /// The API logger tagged with the request's id (the transport adopted or assigned it).
    func logger(for request: Request) -> Logger {
        var tagged = logger
        tagged[metadataKey: "request.id"] = .string(request.headers["x-request-id"] ?? "-")
        return tagged
    }
}
