import CLibPQ
import Foundation

/// One libpq connection in non-blocking mode, driven with poll(2) so every wait has a deadline.
/// Not thread-safe: exactly one thread (its pool worker, the listener, or the migrator) uses it at a time.
final class PGConnection {
    private(set) var raw: OpaquePointer?
    private var prepared: Set<String> = []
    /// Set when the server sent a FATAL/PANIC message outside a statement (it is about to hang up, e.g. after
    /// pg_terminate_backend or at shutdown): the connection must not be reused.
    private var serverSaidGoodbye = false

    private init(raw: OpaquePointer) { self.raw = raw }
    deinit { close() }

    /// Connects within `deadline`. Every failure is `.unavailable` (the server is down, starting, or unreachable).
    static func connect(_ settings: ConnectionSettings, deadline: Deadline) throws -> PGConnection {
        let keys = settings.parameters.map(\.0)
        let values = settings.parameters.map(\.1)
        let started = CStringArray.with(keys) { k in CStringArray.with(values) { v in PQconnectStartParams(k, v, 1) } }
        guard let started else { throw PreferenceStoreError(.unavailable, "cannot allocate a connection", didNotExecute: true) }
        let connection = PGConnection(raw: started)
        guard PQstatus(started) != CONNECTION_BAD else { throw connection.connectFailure() }
        var state = PGRES_POLLING_WRITING
        while state != PGRES_POLLING_OK {
            switch state {
            case PGRES_POLLING_READING: try connection.waitWhileConnecting(read: true, deadline)
            case PGRES_POLLING_WRITING: try connection.waitWhileConnecting(read: false, deadline)
            default: throw connection.connectFailure()
            }
            state = PQconnectPoll(started)
        }
        guard PQsetnonblocking(started, 1) == 0 else { throw connection.connectFailure() }
        // Notices go to us instead of stderr; `raw` dies in close() before `connection` is freed.
        PQsetNoticeReceiver(started, { context, result in
            PGConnection.from(context).noticeReceived(result)
        }, Unmanaged.passUnretained(connection).toOpaque())
        return connection
    }

    var isOpen: Bool { raw.map { PQstatus($0) == CONNECTION_OK } ?? false }

    /// Cheap liveness check before reuse: reads whatever the server sent while the connection sat idle.
    /// A terminated backend or a restarted server leaves an error plus EOF there, which marks it dead.
    func isHealthyForReuse() -> Bool {
        guard let raw, PQstatus(raw) == CONNECTION_OK, PQtransactionStatus(raw) == PQTRANS_IDLE else { return false }
        var descriptor = pollfd(fd: PQsocket(raw), events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, 0)
        if ready < 0 { return errno == EINTR }
        if ready > 0 {
            guard PQconsumeInput(raw) == 1 else { return false }
            while let notify = PQnotifies(raw) { PQfreemem(notify) }  // also parses pending messages
        }
        return PQstatus(raw) == CONNECTION_OK && !serverSaidGoodbye
    }

    private static func from(_ context: UnsafeMutableRawPointer?) -> PGConnection {
        Unmanaged<PGConnection>.fromOpaque(context!).takeUnretainedValue()
    }

    private func noticeReceived(_ result: OpaquePointer?) {
        guard let result, let severity = PQresultErrorField(result, Int32(UInt8(ascii: "V"))) else { return }
        let level = String(cString: severity)
        if level == "FATAL" || level == "PANIC" { serverSaidGoodbye = true }
    }

    func close() {
        if let raw { PQfinish(raw) }
        raw = nil
        prepared.removeAll()
    }

    // MARK: - Statements

    /// Runs one statement with bound parameters; throws the mapped error for a failed statement.
    @discardableResult
    func query(_ sql: String, _ parameters: PGParameters = PGParameters(), deadline: Deadline) throws -> PGResult {
        let raw = try openRaw()
        let sent = parameters.withUnsafeArguments { count, types, values, lengths, formats in
            PQsendQueryParams(raw, sql, count, types, values, lengths, formats, 1)
        }
        guard sent == 1 else { throw sendFailure() }
        return try collect(deadline)
    }

    /// Runs a script of several statements through the simple protocol (migrations only: no parameters).
    func execute(script sql: String, deadline: Deadline) throws {
        let raw = try openRaw()
        guard PQsendQuery(raw, sql) == 1 else { throw sendFailure() }
        try collect(deadline)
    }

    /// Runs a prepared statement, preparing it on first use on this connection (again after a reconnect).
    @discardableResult
    func query(_ statement: PreparedStatement, _ parameters: PGParameters, deadline: Deadline) throws -> PGResult {
        let raw = try openRaw()
        if !prepared.contains(statement.name) {
            let sent = parameters.types.withUnsafeBufferPointer {
                PQsendPrepare(raw, statement.name, statement.sql, Int32(parameters.count), $0.baseAddress)
            }
            guard sent == 1 else { throw sendFailure() }
            try collect(deadline)
            prepared.insert(statement.name)
        }
        let sent = parameters.withUnsafeArguments { count, _, values, lengths, formats in
            PQsendQueryPrepared(raw, statement.name, count, values, lengths, formats, 1)
        }
        guard sent == 1 else { throw sendFailure() }
        return try collect(deadline)
    }

    /// Runs `body` between BEGIN and COMMIT; rolls back when it throws. A COMMIT that fails leaves the outcome
    /// to the error (the connection is closed if its state is unknown).
    func transaction<T>(deadline: Deadline, _ body: () throws -> T) throws -> T {
        try query("BEGIN", deadline: deadline)
        let value: T
        do {
            value = try body()
        } catch {
            rollbackOrClose()
            throw error
        }
        try query("COMMIT", deadline: deadline)
        return value
    }

    func rollbackOrClose() {
        guard let raw, PQstatus(raw) == CONNECTION_OK, PQtransactionStatus(raw) != PQTRANS_IDLE else { return }
        do { try query("ROLLBACK", deadline: .after(.seconds(2))) } catch { close() }
    }

    func openRaw() throws -> OpaquePointer {
        guard let raw, PQstatus(raw) == CONNECTION_OK else {
            throw PreferenceStoreError(.unavailable, "connection is closed", didNotExecute: true)
        }
        return raw
    }
}

/// A statement prepared once per connection under a fixed name.
struct PreparedStatement: Sendable {
    let name: String
    let sql: String
}

/// NUL-terminated C string arrays for libpq's keyword/value API.
enum CStringArray {
    static func with<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        let pointers = copies.map { UnsafePointer($0) } + [nil]
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    static func withMutable<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        let copies = strings.map { strdup($0) } + [nil]
        defer { copies.forEach { free($0) } }
        return copies.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
