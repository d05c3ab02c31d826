import Dispatch
import Foundation

@testable import HTTPServer

/// Runs closures on one serial queue: the stand-in for an event loop thread.
final class QueueExecutor: ConnectionExecutor {
    let queue = DispatchQueue(label: "h2-test-loop")
    func execute(_ work: @escaping @Sendable () -> Void) { queue.async(execute: work) }
}

/// An `HTTP2Connection` driven without sockets: bytes in through `send`, frames out in `frames`.
/// Everything touching the connection runs on the executor's queue.
final class H2Harness: @unchecked Sendable {
    let executor = QueueExecutor()
    private var connection: HTTP2Connection!
    private var pending: [UInt8] = []
    private var received: [H2Frame] = []
    private(set) var finished = false

    init(configuration: HTTP2Configuration = .init(), responder: @escaping @Sendable (Request) async -> Response) throws {
        try executor.queue.sync {
            connection = try HTTP2Connection(
                responder: ClosureResponder(responder), configuration: configuration, executor: executor,
                remoteAddress: "127.0.0.1:1")
            connection.onOutputAvailable = { [weak self] in self?.flush() }  // a late stream task may outlive a failed test
            try connection.start()
            flush()
        }
    }

    deinit {
        let connection = self.connection!
        executor.queue.sync { connection.connectionClosed() }
    }

    /// A client that opens with the preface, an empty SETTINGS and an ACK of the server's.
    static func connected(
        configuration: HTTP2Configuration = .init(), clientSettings: [(UInt16, UInt32)] = [],
        responder: @escaping @Sendable (Request) async -> Response
    ) throws -> H2Harness {
        let h = try H2Harness(configuration: configuration, responder: responder)
        h.send(HTTP2Upgrade.preface + H2Frame.settings(clientSettings).bytes + H2Frame.settingsAck.bytes)
        return h
    }

    func send(_ bytes: [UInt8]) {
        executor.queue.sync {
            _ = bytes.withUnsafeBytes { connection.receive($0) }
            flush()
        }
    }
    func send(_ frames: H2Frame...) { send(frames.flatMap(\.bytes)) }
    func send(_ frames: [H2Frame]) { send(frames.flatMap(\.bytes)) }

    func onLoop<T>(_ body: (HTTP2Connection) throws -> T) rethrows -> T {
        try executor.queue.sync {
            defer { flush() }
            return try body(connection)
        }
    }

    private func flush() {
        connection.produceOutput(into: &pending, limit: .max)
        received += H2Frame.parse(&pending)
        finished = connection.isFinished
    }

    var frames: [H2Frame] { executor.queue.sync { received } }
    var isFinished: Bool { executor.queue.sync { finished } }

    /// Waits (polling, 30 s cap so a bug fails instead of hanging) until `predicate` holds. The responder
    /// runs in a task on the shared pool: in a full parallel run on a loaded 2-core machine it can wait
    /// behind seconds of other tests' work, so the cap is generous; no test here measures time.
    @discardableResult
    func waitFor(_ what: String = "frames", _ predicate: @escaping ([H2Frame]) -> Bool) async throws -> [H2Frame] {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            // Checked once more after the deadline: a starved task may wake up only after it.
            let expired = ContinuousClock.now >= deadline
            let snapshot = frames
            if predicate(snapshot) { return snapshot }
            if expired { break }
            try await Task.sleep(for: .milliseconds(1))
        }
        throw HarnessTimeout(what: what, frames: frames.map { "\($0.kind.map { "\($0)" } ?? "?")/\($0.streamID)" })
    }

    struct HarnessTimeout: Error { let what: String; let frames: [String] }

    /// Response headers of `stream` (decoded in arrival order across all streams, as HPACK requires).
    func responseHeaders() throws -> [UInt32: [(name: String, value: String)]] {
        let decoder = HPACKDecoder()
        var out: [UInt32: [(name: String, value: String)]] = [:]
        for frame in frames where frame.kind == .headers {
            out[frame.streamID] = try decoder.decode(frame.payload)
        }
        return out
    }

    func status(of stream: UInt32) throws -> String? {
        try responseHeaders()[stream]?.first { $0.name == ":status" }?.value
    }

    func body(of stream: UInt32) -> [UInt8] {
        frames.filter { $0.kind == .data && $0.streamID == stream }.flatMap(\.payload)
    }
}

extension [H2Frame] {
    func ended(_ stream: UInt32) -> Bool {
        contains { $0.streamID == stream && ($0.kind == .data || $0.kind == .headers) && $0.has(H2Frame.endStream) }
    }
    var goAways: [(lastStream: UInt32, code: UInt32)] { compactMap(\.goAway) }
}
