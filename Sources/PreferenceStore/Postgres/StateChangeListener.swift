import CLibPQ
import Foundation
import Logging
import Metrics

/// A dedicated LISTEN connection and its thread, started by the first subscriber. Each NOTIFY on
/// `SQL.channel` becomes a `StateChange` for every subscriber. After the connection is re-established,
/// subscribers get `.resynchronize`, because notifications sent meanwhile are lost.
final class StateChangeListener: @unchecked Sendable {  // `started`/`stopping` behind `lock`; the connection lives on the thread
    private let broadcaster = StateChangeBroadcaster()
    private let settings: ConnectionSettings
    private let backoff: (first: Duration, max: Duration)
    private let logger: Logger
    private let lock = NSLock()
    private var started = false
    private var stopping = false
    private var wakeFDs: [Int32] = [-1, -1]
    private let finished = DispatchSemaphore(value: 0)
    /// How long the connection may sit silent before the listener pings the server to prove it is alive.
    private let pingInterval: Duration = .seconds(15)
    /// Time from the write (server clock, inside the committing statement) to this replica's receipt.
    /// Across hosts it includes their clock skew; negative values (skew) are recorded as 0.
    private let notifyLag = Timer(label: "reward_store_notify_lag_seconds", dimensions: [])

    init(settings: ConnectionSettings, backoff: (first: Duration, max: Duration), logger: Logger) {
        self.settings = settings
        self.backoff = backoff
        self.logger = logger
    }

    func subscribe() -> AsyncStream<StateChange> {
        let stream = broadcaster.subscribe()
        let start: Bool = lock.withLock {
            guard !started, !stopping else { return false }
            started = true
            return pipe(&wakeFDs) == 0
        }
        if start {
            Thread.start(named: "pg-listen") { [self] in self.serve() }
        }
        return stream
    }

    func stop() async {
        let running: Bool = lock.withLock {
            defer { stopping = true }
            return started && !stopping
        }
        broadcaster.finish()
        guard running else { return }
        var byte: UInt8 = 1
        _ = write(wakeFDs[1], &byte, 1)
        let finished = finished
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread { finished.wait(); done.resume() }
        }
        close(wakeFDs[0])
        close(wakeFDs[1])
    }

    private var isStopping: Bool { lock.withLock { stopping } }

    private func serve() {
        var connection: PGConnection?
        var failures = 0
        var everConnected = false
        while !isStopping {
            guard let open = connection, open.isOpen else {
                connection?.close()
                connection = nil
                do {
                    connection = try listen()
                    if everConnected { broadcaster.publish(.resynchronize) }
                    everConnected = true
                    failures = 0
                } catch {
                    failures += 1
                    logger.warning("store.listen.failed", metadata: ["error": "\(error)"])
                    let delay = min(backoff.first * (1 << min(failures - 1, 20)), backoff.max)
                    if sleepOrWake(delay) { break }
                }
                continue
            }
            if waitForNotifications(open) { break }
        }
        connection?.close()
        finished.signal()
    }

    private func listen() throws -> PGConnection {
        let connection = try PGConnection.connect(settings, deadline: .after(settings.connectTimeout))
        try connection.query("LISTEN \(SQL.channel)", deadline: .after(.seconds(10)))
        return connection
    }

    /// Waits for traffic or the wake pipe; returns true when asked to stop.
    private func waitForNotifications(_ connection: PGConnection) -> Bool {
        guard let raw = connection.raw else { return false }
        var descriptors = [pollfd(fd: PQsocket(raw), events: Int16(POLLIN), revents: 0),
                           pollfd(fd: wakeFDs[0], events: Int16(POLLIN), revents: 0)]
        let ready = poll(&descriptors, 2, Int32(pingInterval.milliseconds))
        if descriptors[1].revents != 0 { return true }
        if ready == 0 {
            // Silent for a while: a ping proves the connection (and, with tcp_user_timeout, the network) alive.
            do { try connection.query("SELECT 1", deadline: .after(.seconds(10))) } catch { connection.close() }
        } else if ready > 0 {
            guard PQconsumeInput(raw) == 1 else {
                connection.close()
                return false
            }
        }
        drainNotifications(connection)
        return false
    }

    private func drainNotifications(_ connection: PGConnection) {
        guard let raw = connection.raw else { return }
        while let notify = PQnotifies(raw) {
            let payload = String(cString: notify.pointee.extra)
            PQfreemem(notify)
            guard let (change, sentAt) = Self.decodeTimed(payload) else { continue }
            if let sentAt {
                let lag = Date().timeIntervalSince1970 - sentAt
                notifyLag.recordNanoseconds(Int64(max(0, lag) * 1e9))
            }
            broadcaster.publish(change)
        }
    }

    private func sleepOrWake(_ duration: Duration) -> Bool {
        var descriptor = pollfd(fd: wakeFDs[0], events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, Int32(duration.milliseconds)) > 0
    }

    /// Payloads are JSON objects built by the server: {"kind":"state"|"deleted","tenant","user","head","version"}.
    static func decode(_ payload: String) -> StateChange? { decodeTimed(payload)?.change }

    /// The change and, when the payload carries it, when it was written (`sent_at`, epoch seconds).
    static func decodeTimed(_ payload: String) -> (change: StateChange, sentAt: Double?)? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any],
              let tenant = object["tenant"] as? String, let userID = object["user"] as? String
        else { return nil }
        let user = UserKey(tenant: tenant, userID: userID)
        let sentAt = (object["sent_at"] as? NSNumber)?.doubleValue
        switch object["kind"] as? String {
        case "state":
            guard let head = object["head"] as? String, let version = (object["version"] as? NSNumber)?.int64Value else { return nil }
            return (.stateSaved(user, head: head, version: version), sentAt)
        case "deleted":
            return (.userDeleted(user), sentAt)
        default:
            return nil
        }
    }
}
