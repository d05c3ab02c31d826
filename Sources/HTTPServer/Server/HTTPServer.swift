#if canImport(Glibc)
import Glibc
#endif
import Logging
import Synchronization
import Locking

/// An HTTP server on its own epoll event loops (no SwiftNIO). `run()` serves until
/// `triggerGracefulShutdown()` (or cancellation of the task running it), then drains and returns.
///
/// ```swift
/// let server = HTTPServer(configuration: .init(host: "127.0.0.1", port: 0), responder: app,
///                         onServerRunning: { port in print("listening on \(port)") })
/// try await server.run()
/// ```
public final class HTTPServer: Sendable {
    public let configuration: Configuration
    private let context: ServerContext
    private let onServerRunning: (@Sendable (Int) -> Void)?
    private let shutdown = ShutdownSignal()
    private let started = Atomic<Bool>(false)

    public init(
        configuration: Configuration, responder: some Responder, logger: Logger = Logger(label: "http"),
        onServerRunning: (@Sendable (Int) -> Void)? = nil
    ) {
        self.configuration = configuration
        self.context = ServerContext(configuration: configuration, responder: responder, logger: logger)
        self.onServerRunning = onServerRunning
    }

    static var coreCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// Number of open connections (for metrics and tests).
    public var connectionCount: Int { context.connectionCount.load(ordering: .relaxed) }

    /// See `BufferPeaks` (for metrics and tests).
    public var bufferPeaks: BufferPeaks {
        BufferPeaks(requestBody: context.requestBodyPeak.value, output: context.outputPeak.value)
    }

    /// Starts the graceful shutdown: readiness off, (delay), stop accepting, finish in-flight requests
    /// until the deadline, close the rest. `run()` returns when it is done. Safe from any thread.
    public func triggerGracefulShutdown() { shutdown.trigger() }

    public func run() async throws {
        guard !started.exchange(true, ordering: .relaxed) else {
            throw HTTPServerError(code: .alreadyRunning, message: "run() was called twice")
        }
        let group = try EventLoopGroup(loopCount: configuration.loopCount)
        defer { group.shutdown() }
        let loops = group.loops
        let listeners = try await bindListeners(on: loops)
        let port = try Socket.localPort(listeners.first!.fd)
        context.logger.info("listening", metadata: ["http.host": "\(configuration.host)", "http.port": "\(port)"])
        // Ready before anyone learns the port: a probe sent right after must not see "not ready".
        configuration.onReadinessChange?(true)
        onServerRunning?(port)

        await withTaskCancellationHandler {
            await shutdown.wait()
        } onCancel: {
            shutdown.trigger()
        }
        await drain(listeners)
    }

    private func bindListeners(on loops: [EventLoop]) async throws -> [(fd: Int32, listener: Listener)] {
        var port = configuration.port
        var result: [(fd: Int32, listener: Listener)] = []
        do {
            for loop in loops {
                let fd = try Socket.listen(host: configuration.host, port: port)
                if port == 0 { port = try Socket.localPort(fd) }  // the others join the same port
                let listener = Listener(fd: fd, loop: loop, server: context)
                result.append((fd, listener))
                try await loop.submit { try listener.start() }
            }
        } catch {
            for entry in result { await entry.listener.loop.submit { entry.listener.closeAll(); entry.listener.beginShutdown() } }
            throw error
        }
        return result
    }

    private func drain(_ listeners: [(fd: Int32, listener: Listener)]) async {
        context.isShuttingDown.store(true, ordering: .relaxed)
        configuration.onReadinessChange?(false)
        context.logger.info("shutting down", metadata: ["connections": "\(connectionCount)"])
        if configuration.readinessDelay > .zero { try? await Task.sleep(for: configuration.readinessDelay) }
        for entry in listeners { await entry.listener.loop.submit { entry.listener.beginShutdown() } }
        let deadline = ContinuousClock.now + configuration.shutdownDeadline
        // Lingering connections have sent everything; they are closed with the rest below.
        while connectionCount - context.lingeringCount.load(ordering: .relaxed) > 0 && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        let left = connectionCount - context.lingeringCount.load(ordering: .relaxed)
        if left > 0 { context.logger.warning("shutdown deadline passed", metadata: ["connections": "\(left)"]) }
        for entry in listeners { await entry.listener.loop.submit { entry.listener.closeAll() } }
        context.logger.info("stopped")
    }
}

/// A one-shot signal that `run()` awaits; triggering before anyone waits is remembered.
final class ShutdownSignal: Sendable {
    private struct State {
        var triggered = false
        var waiter: CheckedContinuation<Void, Never>?
    }
    private let state = Locked(State())

    func trigger() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.triggered = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state -> Bool in
                if state.triggered { return true }
                state.waiter = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }
}

extension EventLoop {
    /// Runs `body` on the loop and waits for it (setup and shutdown steps, not the hot path).
    func submit<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            execute { continuation.resume(with: Result { try body() }) }
        }
    }

    func submit(_ body: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { continuation in
            execute {
                body()
                continuation.resume()
            }
        }
    }
}
