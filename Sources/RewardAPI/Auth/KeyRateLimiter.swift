import Locking

/// Per-key token buckets (`--rate-limit-per-key N`): N requests per second sustained, bursts up to N.
/// Per replica: with R replicas a key gets up to R×N. Memory is one bucket per key that has been used.
final class KeyRateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    let rate: Double
    private let burst: Double
    private let buckets = Locked<[String: Bucket]>([:])

    init(requestsPerSecond rate: Double) {
        precondition(rate > 0, "the per-key rate must be positive")
        self.rate = rate
        burst = max(1, rate)
    }

    /// nil when the request may proceed; otherwise the whole seconds to wait (≥ 1) for `Retry-After`.
    func admit(_ keyID: String, now: ContinuousClock.Instant = .now) -> Int? {
        buckets.withLock { all in
            var bucket = all[keyID] ?? Bucket(tokens: burst, updated: now)
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            bucket.tokens = min(burst, bucket.tokens + max(0, seconds) * rate)
            bucket.updated = now
            defer { all[keyID] = bucket }
            guard bucket.tokens >= 1 else {
                return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up)))
            }
            bucket.tokens -= 1
            return nil
        }
    }
}
