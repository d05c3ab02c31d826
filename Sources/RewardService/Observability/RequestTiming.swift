import Synchronization

/// Where one request's time went, for the `Server-Timing` response header: body decoding (API),
/// model compute (worker queue wait + math) and store calls. The API layer binds one per request
/// as a task-local; the domain adds to it wherever it awaits the worker or the store. Phases may
/// overlap (concurrent lookups), so they need not add up to the total.
public final class RequestTiming: Sendable {
    public enum Phase: Int, CaseIterable, Sendable {
        case decode, compute, store

        public var name: String {
            switch self {
            case .decode: "decode"
            case .compute: "compute"
            case .store: "store"
            }
        }
    }

    @TaskLocal public static var current: RequestTiming?

    /// The request's id (`X-Request-Id`), so log lines emitted anywhere in its task tree can carry it.
    public let requestID: String?

    private let decode = Atomic<Int64>(0)
    private let compute = Atomic<Int64>(0)
    private let store = Atomic<Int64>(0)

    public init(requestID: String? = nil) { self.requestID = requestID }

    public func add(_ phase: Phase, nanoseconds: Int64) {
        switch phase {
        case .decode: decode.add(nanoseconds, ordering: .relaxed)
        case .compute: compute.add(nanoseconds, ordering: .relaxed)
        case .store: store.add(nanoseconds, ordering: .relaxed)
        }
    }

    /// Nanoseconds spent in `phase`, or nil when the request never entered it.
    public func nanoseconds(_ phase: Phase) -> Int64? {
        let n = switch phase {
        case .decode: decode.load(ordering: .relaxed)
        case .compute: compute.load(ordering: .relaxed)
        case .store: store.load(ordering: .relaxed)
        }
        return n == 0 ? nil : n
    }

    /// Runs `body` and adds its duration to `phase` of the current request (if one is bound).
    public static func measure<T, E: Error>(_ phase: Phase, _ body: () async throws(E) -> T) async throws(E) -> T {
        guard let timing = current else { return try await body() }
        let start = ContinuousClock.now
        defer { timing.add(phase, nanoseconds: (ContinuousClock.now - start).totalNanoseconds) }
        return try await body()
    }
}

extension Duration {
    var totalNanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
