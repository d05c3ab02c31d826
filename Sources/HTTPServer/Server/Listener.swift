#if canImport(Glibc)
import Glibc
#endif
import CSystemShims

/// One listening socket on one loop, and the connections it accepted (which live on that loop).
final class Listener: EventSink, @unchecked Sendable {  // loop-confined, like Connection
    let loop: EventLoop
    let server: ServerContext
    private(set) var fd: Int32
    private var connections: [Int32: Connection] = [:]
    private var draining = false

    init(fd: Int32, loop: EventLoop, server: ServerContext) {
        self.fd = fd
        self.loop = loop
        self.server = server
    }

    func start() throws {
        try loop.register(fd: fd, events: CSystemShims_EPOLLIN, sink: self)
    }

    var connectionCount: Int { connections.count }

    func ready(events: UInt32) {
        // Bounded, so a connection storm cannot starve the connections already being served.
        for _ in 0..<64 {
            guard fd >= 0 else { return }
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let accepted: IOResult<Int32>
            do {
                accepted = try withUnsafeMutablePointer(to: &storage) { pointer in
                    try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                        try syscall("accept4") { CSystemShims_accept4(fd, address, &length) }
                    }
                }
            } catch {
                acceptFailed(error)
                return
            }
            guard case .done(let clientFD) = accepted else { return }
            let count = server.connectionCount.add(1, ordering: .relaxed).newValue
            if count > server.configuration.maxConnections || draining {
                server.connectionCount.subtract(1, ordering: .relaxed)
                Glibc.close(clientFD)
                continue
            }
            Socket.setNoDelay(clientFD)
            let connection = Connection(
                fd: clientFD, loop: loop, server: server, remoteAddress: Socket.describe(&storage))
            // Weak: a connection kept alive by a late job or task may close after the listener is gone.
            connection.onClose = { [weak self, server] closed in
                self?.connections.removeValue(forKey: closed.fd)
                server.connectionCount.subtract(1, ordering: .relaxed)
            }
            connections[clientFD] = connection
            do {
                try connection.start(transport: server.makeTransport())
            } catch {
                connection.close(.now)
            }
        }
    }

    /// accept4 failed (EMFILE, ENFILE, ENOBUFS, or a connection reset while queued). The listener is
    /// level-triggered, so retrying at once would spin: stop listening for 100 ms unless the error was
    /// about that one connection.
    private func acceptFailed(_ error: any Error) {
        let code = (error as? HTTPServerError)?.errno ?? 0
        if code == ECONNABORTED || code == EPROTO || code == EPERM { return }
        server.logger.warning("accept failed; pausing the listener for 100 ms", metadata: ["error": "\(error)"])
        try? loop.modify(fd: fd, events: 0)
        loop.scheduleTimer(at: monotonicNanos() &+ 100_000_000) { [self] in
            if fd >= 0 { try? loop.modify(fd: fd, events: CSystemShims_EPOLLIN) }
        }
    }

    /// Stops accepting and asks every connection to finish gracefully.
    func beginShutdown() {
        draining = true
        if fd >= 0 {
            loop.deregister(fd: fd)
            Glibc.close(fd)
            fd = -1
        }
        for connection in Array(connections.values) where connection.state == .open {
            connection.handler?.gracefulShutdown(connection: connection)
        }
    }

    /// The shutdown deadline passed: close what is left.
    func closeAll() {
        for connection in Array(connections.values) { connection.close(.now) }
    }
}
