import Synchronization

/// The largest value ever observed (lock-free). The buffers behind it are bounded by design; the
/// peaks let operators and tests check that a slow peer or a slow handler never made them grow.
final class PeakGauge: Sendable {
    private let peak = Atomic<Int>(0)

    var value: Int { peak.load(ordering: .relaxed) }

    func observe(_ value: Int) {
        var current = peak.load(ordering: .relaxed)
        while value > current {
            let (exchanged, original) = peak.compareExchange(expected: current, desired: value, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }
}

extension HTTPServer {
    /// Largest amounts of memory one request or connection made the server hold, since it started.
    public struct BufferPeaks: Sendable, Equatable {
        /// Request body bytes held for one streamed request (read from the socket, not yet
        /// consumed by the responder, or consumed but still referenced).
        public var requestBody: Int
        /// Response bytes queued for one connection and not yet taken by the socket.
        public var output: Int
    }
}
