import Locking

/// Lets the connection thread cancel a stream's responder (RST_STREAM, connection closed) without
/// holding the responder's `Task`.
///
/// Why not keep the `Task`: whoever releases a finished task last destroys it, and that was the
/// connection thread, away from the pool thread whose memory the task used. Task teardown there,
/// plus the next task's allocator touching memory freed on another thread, cost ≈ 2 % of a small
/// h2 request's CPU (`perf`; HTTP/1.1, which keeps no handle, showed neither). Cancelling through
/// the task's `UnsafeCurrentTask` while a lock proves the task is still running is safe (`cancel`
/// is one of the APIs `Task` also has) and is how swift-testing cancels a running test.
final class ResponderHandle: Sendable {
    private enum State {
        case notStarted
        case running(UnsafeCurrentTask)
        case cancelled
        case finished
    }

    /// A pthread mutex (`Locked`), so ThreadSanitizer sees the hand-over between the two threads.
    private let state = Locked(State.notStarted)

    /// Runs `body` on the current task, which `cancel()` cancels until `body` returns.
    func run(_ body: () async -> Void) async {
        let cancelledEarly = withUnsafeCurrentTask { task in
            state.withLock { state -> Bool in
                if case .cancelled = state { return true }
                if let task { state = .running(task) }
                return false
            }
        }
        if cancelledEarly { withUnsafeCurrentTask { $0?.cancel() } }
        await body()
        state.withLock { $0 = .finished }
    }

    /// Cancels the responder now if it runs, or as soon as it starts; nothing once it has finished.
    func cancel() {
        state.withLock { state in
            switch state {
            case .running(let task):
                task.cancel()
                state = .cancelled
            case .notStarted:
                state = .cancelled
            case .cancelled, .finished:
                break
            }
        }
    }
}
