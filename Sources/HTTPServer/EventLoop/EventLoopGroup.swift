/// A fixed set of running event loops (one thread each). The server makes one per `run()`; tools and
/// benchmarks can make their own to run work on a loop thread.
public final class EventLoopGroup: Sendable {
    public let loops: [EventLoop]

    /// Starts `count` loops (default: one per core).
    public init(loopCount count: Int? = nil) throws {
        loops = try (0..<max(1, count ?? HTTPServer.coreCount)).map { try EventLoop(index: $0) }
        for loop in loops { loop.start() }
    }

    /// Stops every loop after the closures already queued and waits for their threads.
    public func shutdown() {
        for loop in loops { loop.stop() }
        for loop in loops { loop.join() }
    }
}
