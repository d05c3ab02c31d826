import Foundation

/// Runs `body` (blocking work: a child process, a blocking socket, a sleep loop, or seconds of CPU) on
/// threads of its own instead of the cooperative pool, which has only as many threads as cores (2 on a
/// CI runner): a test holding them starves every other test's tasks, including the servers it talks to.
/// The body stays part of the calling task (its task-locals, so `#expect` reports to the running test).
public func offPool<T: Sendable>(_ body: () async throws -> T) async rethrows -> T {
    try await withTaskExecutorPreference(ThreadPerJobExecutor.shared) { try await body() }
}

/// A task executor that runs each job on a new thread: jobs may block for as long as they like.
/// (Child tasks inherit the preference; `Task {}` inside the body still runs on the pool.)
final class ThreadPerJobExecutor: TaskExecutor {
    static let shared = ThreadPerJobExecutor()

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let thread = Thread { job.runSynchronously(on: ThreadPerJobExecutor.shared.asUnownedTaskExecutor()) }
        thread.name = "test-off-pool"
        thread.start()
    }
}
