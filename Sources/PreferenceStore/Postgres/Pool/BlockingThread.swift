import Foundation

/// Runs one blocking job on a fresh OS thread (for rare work: migrations, cluster control), keeping it off
/// Swift's cooperative pool.
enum BlockingThread {
    static func run<T: Sendable>(name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            let thread = Thread { continuation.resume(with: Result { try body() }) }
            thread.name = name
            thread.start()
        }
    }
}
