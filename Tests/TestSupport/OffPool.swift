import Foundation

/// Runs blocking work (a child process, a blocking socket, a sleep loop) on a thread of its own and
/// resumes the caller when it returns. On the cooperative pool the same work would hold one of its few
/// threads (2 on a 2-core runner) while the servers it waits for need them: the test run starves.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.name = "test-off-pool"
        thread.start()
    }
}

/// `offPool` for work that cannot throw.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: body()) }
        thread.name = "test-off-pool"
        thread.start()
    }
}
