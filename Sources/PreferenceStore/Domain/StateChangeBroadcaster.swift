import Foundation

/// Fans state changes out to every subscriber. Each subscriber has a bounded buffer: a slow consumer loses
/// the oldest changes and then receives `.resynchronize`, never unbounded memory.
final class StateChangeBroadcaster: @unchecked Sendable {  // all state behind `lock`
    static let bufferLimit = 1024

    private let lock = NSLock()
    private var subscribers: [UInt64: AsyncStream<StateChange>.Continuation] = [:]
    private var nextID: UInt64 = 0
    private var finished = false
    private let onFirstSubscriber: (@Sendable () -> Void)?

    init(onFirstSubscriber: (@Sendable () -> Void)? = nil) {
        self.onFirstSubscriber = onFirstSubscriber
    }

    var hasSubscribers: Bool { lock.withLock { !subscribers.isEmpty } }

    func subscribe() -> AsyncStream<StateChange> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: StateChange.self, bufferingPolicy: .bufferingNewest(Self.bufferLimit))
        let (id, first): (UInt64?, Bool) = lock.withLock {
            guard !finished else { return (nil, false) }
            nextID += 1
            subscribers[nextID] = continuation
            return (nextID, subscribers.count == 1)
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            self?.lock.withLock { _ = self?.subscribers.removeValue(forKey: id) }
        }
        if first { onFirstSubscriber?() }
        return stream
    }

    func publish(_ change: StateChange) {
        let targets = lock.withLock { Array(subscribers.values) }
        for continuation in targets {
            if case .dropped = continuation.yield(change) {
                continuation.yield(.resynchronize)
            }
        }
    }

    func finish() {
        let targets: [AsyncStream<StateChange>.Continuation] = lock.withLock {
            finished = true
            defer { subscribers.removeAll() }
            return Array(subscribers.values)
        }
        for continuation in targets { continuation.finish() }
    }
}
