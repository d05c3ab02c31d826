import Foundation
import Logging
import Metrics

/// A bounded pool of `ConnectionWorker`s. Borrowers wait (up to `acquireTimeout`, at most `maxWaiters` of them)
/// for a free worker, in arrival order; beyond those bounds they get `.overloaded`.
final class ConnectionPool: @unchecked Sendable {  // mutable state behind `lock`
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<ConnectionWorker, Error>
        var timer: Task<Void, Never>?
    }

    private let lock = NSLock()
    private var idle: [ConnectionWorker]
    private var waiters: [Waiter] = []
    private var nextWaiterID: UInt64 = 0
    private var closed = false
    private let all: [ConnectionWorker]
    private let acquireTimeout: Duration
    private let maxWaiters: Int
    private let inUseGauge = Gauge(label: "reward_store_pool_connections_in_use", dimensions: [])
    private let waitTimer = Timer(label: "reward_store_pool_wait_seconds", dimensions: [])

    init(configuration: PostgresConfiguration, logger: Logger) {
        let gate = ReconnectGate(first: configuration.reconnectBackoff.first, maximum: configuration.reconnectBackoff.max)
        let settings = configuration.poolSettings
        all = (0..<configuration.poolSize).map { index in
            ConnectionWorker(name: "pg-pool-\(index)", settings: settings, clientTimeout: configuration.clientTimeout,
                             gate: gate, logger: logger)
        }
        idle = all
        acquireTimeout = configuration.acquireTimeout
        maxWaiters = configuration.maxWaiters
        Gauge(label: "reward_store_pool_connections", dimensions: []).record(configuration.poolSize)
        inUseGauge.record(0)
    }

    func withConnection<T: Sendable>(
        idempotent: Bool, _ body: @escaping @Sendable (PGConnection, Deadline) throws -> T
    ) async throws -> T {
        let asked = ContinuousClock.now
        let worker = try await acquire()
        waitTimer.recordNanoseconds(Self.nanoseconds(ContinuousClock.now - asked))
        defer { release(worker) }
        return try await worker.run(idempotent: idempotent, body)
    }

    /// Stops every worker (closing its connection) once it is returned; later borrowers get `.unavailable`.
    func close() async {
        let pending: [Waiter] = lock.withLock {
            closed = true
            defer { waiters.removeAll() }
            return waiters
        }
        for waiter in pending {
            waiter.timer?.cancel()
            waiter.continuation.resume(throwing: PreferenceStoreError(.unavailable, "store is shut down"))
        }
        // Borrowed workers finish their current job first; stop() waits for that.
        await withTaskGroup(of: Void.self) { group in
            for worker in all { group.addTask { await Self.stopOffThread(worker) } }
        }
    }

    private static func stopOffThread(_ worker: ConnectionWorker) async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread { worker.stop(); done.resume() }
        }
    }

    private func acquire() async throws -> ConnectionWorker {
        let id: UInt64 = lock.withLock { nextWaiterID += 1; return nextWaiterID }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ConnectionWorker, Error>) in
                let outcome: Result<ConnectionWorker, Error>? = lock.withLock {
                    if closed { return .failure(PreferenceStoreError(.unavailable, "store is shut down")) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if let worker = idle.popLast() {
                        inUseGauge.record(all.count - idle.count)
                        return .success(worker)
                    }
                    guard waiters.count < maxWaiters else {
                        return .failure(PreferenceStoreError(.overloaded, "too many callers waiting for a database connection"))
                    }
                    waiters.append(Waiter(id: id, continuation: continuation, timer: nil))
                    return nil
                }
                if let outcome { return continuation.resume(with: outcome) }
                let timeout = acquireTimeout
                let timer = Task { [weak self] in
                    guard (try? await Task.sleep(for: timeout)) != nil else { return }
                    self?.abandon(id, PreferenceStoreError(.overloaded, "no database connection free within \(timeout)"))
                }
                let fired: Bool = lock.withLock {
                    guard let index = waiters.firstIndex(where: { $0.id == id }) else { return true }
                    waiters[index].timer = timer
                    return false
                }
                if fired { timer.cancel() }
            }
        } onCancel: {
            abandon(id, CancellationError())
        }
    }

    private static func nanoseconds(_ d: Duration) -> Int64 {
        d.components.seconds * 1_000_000_000 + d.components.attoseconds / 1_000_000_000
    }

    private func abandon(_ id: UInt64, _ error: Error) {
        let waiter: Waiter? = lock.withLock {
            guard let index = waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return waiters.remove(at: index)
        }
        guard let waiter else { return }
        waiter.timer?.cancel()
        waiter.continuation.resume(throwing: error)
    }

    private func release(_ worker: ConnectionWorker) {
        let next: Waiter? = lock.withLock {
            guard !waiters.isEmpty else {
                idle.append(worker)
                inUseGauge.record(all.count - idle.count)
                return nil
            }
            return waiters.removeFirst()
        }
        guard let next else { return }
        next.timer?.cancel()
        next.continuation.resume(returning: worker)
    }
}
