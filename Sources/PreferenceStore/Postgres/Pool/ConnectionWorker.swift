import Foundation
import Logging

/// One pooled connection and the OS thread that owns it. All libpq calls for the connection happen on that
/// thread, so Swift's cooperative threads never block on database I/O.
final class ConnectionWorker: @unchecked Sendable {  // `connection` is touched only by `thread`; `job`/`stopping` behind `condition`
    private let condition = NSCondition()
    private var job: (() -> Void)?
    private var stopping = false
    private var connection: PGConnection?
    private let settings: ConnectionSettings
    private let clientTimeout: Duration
    private let gate: ReconnectGate
    private let logger: Logger
    private let stopped = DispatchSemaphore(value: 0)

    init(name: String, settings: ConnectionSettings, clientTimeout: Duration, gate: ReconnectGate, logger: Logger) {
        self.settings = settings
        self.clientTimeout = clientTimeout
        self.gate = gate
        self.logger = logger
        Thread.start(named: name) { [self] in self.serve() }
    }

    /// Runs `body` on this worker's thread with a healthy connection. Idempotent operations are retried once
    /// on a fresh connection when the old one turns out to be dead; others only when the failed statement
    /// certainly did not run.
    func run<T: Sendable>(idempotent: Bool, _ body: @escaping @Sendable (PGConnection, Deadline) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            let accepted = submit {
                continuation.resume(with: Result { try self.perform(idempotent: idempotent, body) })
            }
            if !accepted { continuation.resume(throwing: PreferenceStoreError(.unavailable, "store is shut down")) }
        }
    }

    /// Stops the thread after its current job and closes the connection. Idempotent.
    func stop() {
        let first: Bool = condition.withLock {
            defer { stopping = true; condition.signal() }
            return !stopping
        }
        if first { stopped.wait() }
    }

    /// Hands `work` to the thread; false once the worker is stopping (the job would never run).
    private func submit(_ work: @escaping () -> Void) -> Bool {
        condition.withLock {
            guard !stopping else { return false }
            precondition(job == nil, "a worker runs one job at a time (the pool hands it to one borrower)")
            job = work
            condition.signal()
            return true
        }
    }

    private func serve() {
        while true {
            condition.lock()
            while job == nil && !stopping { condition.wait() }
            guard let work = job else {
                condition.unlock()
                break
            }
            job = nil
            condition.unlock()
            work()
        }
        connection?.close()
        connection = nil
        stopped.signal()
    }

    private func perform<T>(idempotent: Bool, _ body: (PGConnection, Deadline) throws -> T) throws -> T {
        var retried = false
        while true {
            let connection = try healthyConnection()
            do {
                return try body(connection, .after(clientTimeout))
            } catch let error as PreferenceStoreError {
                if !connection.isOpen { self.connection = nil }
                let retryable = error.code == .unavailable && (idempotent || error.didNotExecute)
                guard retryable, !retried else { throw error }
                retried = true
                logger.notice("store.retry", metadata: ["error": "\(error.debugDescription)"])
            }
        }
    }

    private func healthyConnection() throws -> PGConnection {
        if let connection, connection.isHealthyForReuse() { return connection }
        if connection != nil { logger.info("store.connection.dropped") }
        connection?.close()
        connection = nil
        try gate.checkAllowed()
        do {
            let fresh = try PGConnection.connect(settings, deadline: .after(settings.connectTimeout))
            gate.succeeded()
            connection = fresh
            return fresh
        } catch let error as PreferenceStoreError {
            gate.failed(error)
            logger.warning("store.connect.failed", metadata: ["error": "\(error.debugDescription)"])
            throw error
        }
    }
}
