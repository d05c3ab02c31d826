import Glibc

/// A point on the monotonic clock. libpq work is bounded by deadlines, never by wall-clock time.
struct Deadline: Sendable, Comparable {
    let nanoseconds: UInt64

    static var now: Deadline {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Deadline(nanoseconds: UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec))
    }

    static func after(_ duration: Duration) -> Deadline {
        Deadline(nanoseconds: now.nanoseconds &+ duration.nanoseconds)
    }

    var hasPassed: Bool { Deadline.now >= self }

    /// Milliseconds left, rounded up, clamped to what poll(2) accepts; 0 once passed.
    var remainingMilliseconds: Int32 {
        let current = Deadline.now.nanoseconds
        guard nanoseconds > current else { return 0 }
        return Int32(min((nanoseconds - current + 999_999) / 1_000_000, UInt64(Int32.max)))
    }

    static func < (a: Deadline, b: Deadline) -> Bool { a.nanoseconds < b.nanoseconds }
}

extension Duration {
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        return UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
    }

    var milliseconds: Int64 { Int64(nanoseconds / 1_000_000) }
}
