#if canImport(Glibc)
import Glibc
#endif

/// A value behind a pthread mutex. Used where ThreadSanitizer must see the synchronisation:
/// `Synchronization.Mutex` locks with raw futex calls on Linux, which TSan does not model, so every
/// access under it is reported as a race (`make test-tsan`-style runs stay readable this way).
///
/// `@unchecked Sendable`: `value` is only touched inside `withLock`.
final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    init(_ value: Value) {
        self.value = value
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
