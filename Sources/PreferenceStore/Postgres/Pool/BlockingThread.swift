import Foundation

/// Runs one blocking job on a fresh OS thread (for rare work: migrations, cluster control), keeping it off
/// Swift's cooperative pool.
enum BlockingThread {
    static func run<T: Sendable>(name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            Thread.start(named: name) { continuation.resume(with: Result { try body() }) }
        }
    }
}

extension Thread {
    /// Starts `body` on a new thread that `ps -L` and /proc/PID/task/*/comm show as `name` (at most 15
    /// bytes kept). Foundation on Linux hands `Thread.name` to the OS only when the thread sets it itself.
    static func start(named name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread {
            Thread.current.name = name
            body()
        }
        thread.name = name
        thread.start()
    }
}
