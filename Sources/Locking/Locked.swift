#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value behind a pthread mutex: the lock every module uses for state shared between threads.
///
/// Why not `Synchronization.Mutex`: on Linux it locks with raw futex calls, which ThreadSanitizer
/// does not model, so every access under it is reported as a race and a TSan run (`make tsan`)
/// drowns in false reports. pthread mutexes are intercepted; uncontended, both cost about the same.
///
/// `@unchecked Sendable`: `value` is only touched inside `withLock`.
public final class Locked<Value>: @unchecked Sendable {
    @usableFromInline var value: Value
    @usableFromInline let mutex: UnsafeMutablePointer<pthread_mutex_t>

    public init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the value while holding the lock. Inlinable: it sits on per-request paths
    /// in other modules, which would otherwise call an unspecialised generic.
    @inlinable
    public func withLock<R, E: Error>(_ body: (inout Value) throws(E) -> R) throws(E) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}

extension Locked {
    /// A copy of the value.
    @inlinable public func get() -> Value { withLock { $0 } }

    @inlinable public func set(_ newValue: Value) { withLock { $0 = newValue } }
}
