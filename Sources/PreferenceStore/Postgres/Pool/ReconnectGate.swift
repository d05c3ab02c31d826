import Foundation

/// Shared reconnect backoff: after a failed connect nobody tries again before the backoff expires, so a down
/// server gets a trickle of attempts and callers fail fast with `.unavailable` instead of piling up.
final class ReconnectGate: @unchecked Sendable {  // state behind `lock`
    private let lock = NSLock()
    private let first: Duration
    private let maximum: Duration
    private var failures = 0
    private var notBefore = Deadline(nanoseconds: 0)
    private var lastError: PreferenceStoreError?

    init(first: Duration, maximum: Duration) {
        self.first = first
        self.maximum = maximum
    }

    func checkAllowed() throws {
        let blocked: PreferenceStoreError? = lock.withLock {
            guard Deadline.now < notBefore else { return nil }
            return PreferenceStoreError(.unavailable, "database unavailable; reconnecting", detail: lastError?.detail, didNotExecute: true)
        }
        if let blocked { throw blocked }
    }

    func failed(_ error: PreferenceStoreError) {
        lock.withLock {
            failures += 1
            let factor = 1 << min(failures - 1, 20)
            let delay = min(first * factor, maximum)
            notBefore = .after(delay)
            lastError = error
        }
    }

    func succeeded() {
        lock.withLock {
            failures = 0
            notBefore = Deadline(nanoseconds: 0)
            lastError = nil
        }
    }
}
