#if canImport(Glibc)
import Glibc
#endif

/// The outcome of a non-blocking system call: it did something, or it would have blocked.
enum IOResult<T> {
    case done(T)
    case wouldBlock
}

/// Every system call goes through here: EINTR is retried, EAGAIN/EWOULDBLOCK becomes `.wouldBlock`,
/// EBADF/EFAULT are bugs (trap), anything else throws `HTTPServerError(.system)`.
@inline(__always)
func syscall<T: FixedWidthInteger>(_ function: StaticString, _ body: () -> T) throws -> IOResult<T> {
    while true {
        let result = body()
        if result >= 0 { return .done(result) }
        let err = errno
        switch err {
        case EINTR: continue
        case EAGAIN, EWOULDBLOCK: return .wouldBlock
        case EBADF, EFAULT: preconditionFailure("\(function): \(String(cString: strerror(err))) — a bug")
        default: throw HTTPServerError(errno: err, function: function)
        }
    }
}

/// For calls that never legitimately return EAGAIN (setup calls: socket, bind, epoll_ctl).
@inline(__always)
@discardableResult
func syscallChecked<T: FixedWidthInteger>(_ function: StaticString, _ body: () -> T) throws -> T {
    switch try syscall(function, body) {
    case .done(let value): return value
    case .wouldBlock: throw HTTPServerError(errno: EAGAIN, function: function)
    }
}

/// Monotonic time in nanoseconds, for deadlines and durations.
@inline(__always)
func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

extension Duration {
    /// Whole nanoseconds, saturating at 0 for negative durations.
    var nanoseconds: UInt64 {
        let (seconds, attos) = components
        if seconds < 0 { return 0 }
        return UInt64(seconds) &* 1_000_000_000 &+ UInt64(attos / 1_000_000_000)
    }
}
