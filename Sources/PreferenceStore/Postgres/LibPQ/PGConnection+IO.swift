import CLibPQ
import Foundation

extension PGConnection {
    /// Flushes the request and reads every result of it. Keeps reading while it writes, so a large request
    /// cannot deadlock against a server that is waiting for us to read its output.
    @discardableResult
    func collect(_ deadline: Deadline) throws -> PGResult {
        let raw = try openRaw()
        while true {
            let flushed = PQflush(raw)
            if flushed == 0 { break }
            guard flushed > 0 else { throw lostConnection(during: "send") }
            try wait(read: true, write: true, deadline)
            guard PQconsumeInput(raw) == 1 else { throw lostConnection(during: "send") }
        }
        var last: PGResult?
        var failure: PGResult?
        while true {
            while PQisBusy(raw) == 1 {
                try wait(read: true, write: false, deadline)
                guard PQconsumeInput(raw) == 1 else { throw failureOfLostConnection(raw) }
            }
            guard let next = PQgetResult(raw) else { break }
            let result = PGResult(next)
            switch result.status {
            case PGRES_FATAL_ERROR: if failure == nil { failure = result }
            case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH: return result  // caller drives COPY
            default: last = result
            }
        }
        if let failure { throw statementFailure(failure) }
        guard let last else { throw PreferenceStoreError(.internalError, "statement returned no result") }
        return last
    }

    /// Waits for the socket; on deadline the connection is closed (its protocol state is unknown) and the
    /// caller gets `.timeout`.
    func wait(read: Bool, write: Bool, _ deadline: Deadline) throws {
        do {
            try pollSocket(read: read, write: write, deadline)
        } catch let error as PreferenceStoreError where error.code == .timeout {
            close()
            throw error
        }
    }

    func waitWhileConnecting(read: Bool, _ deadline: Deadline) throws {
        do {
            try pollSocket(read: read, write: !read, deadline)
        } catch let error as PreferenceStoreError where error.code == .timeout {
            throw PreferenceStoreError(.unavailable, "connecting timed out", didNotExecute: true)
        }
    }

    private func pollSocket(read: Bool, write: Bool, _ deadline: Deadline) throws {
        guard let raw else { throw PreferenceStoreError(.unavailable, "connection is closed") }
        let events = (read ? Int16(POLLIN) : 0) | (write ? Int16(POLLOUT) : 0)
        var descriptor = pollfd(fd: PQsocket(raw), events: events, revents: 0)
        guard descriptor.fd >= 0 else { throw lostConnection(during: "poll") }
        while true {
            let timeout = deadline.remainingMilliseconds
            guard timeout > 0 else { throw PreferenceStoreError(.timeout, "database did not answer before the deadline") }
            let ready = poll(&descriptor, 1, timeout)
            if ready > 0 { return }
            if ready < 0 && errno != EINTR {
                throw PreferenceStoreError(.unavailable, "poll failed", detail: String(cString: strerror(errno)))
            }
        }
    }

    // MARK: - Error mapping (libpq → PreferenceStoreError, once, here)

    func connectFailure() -> PreferenceStoreError {
        PreferenceStoreError(.unavailable, "cannot connect to the database", detail: libpqMessage, didNotExecute: true)
    }

    func sendFailure() -> PreferenceStoreError {
        let error = PreferenceStoreError(.unavailable, "cannot send to the database", detail: libpqMessage, didNotExecute: true)
        if raw.map({ PQstatus($0) != CONNECTION_OK }) ?? true { close() }
        return error
    }

    /// The server usually says why it hung up (e.g. 57P01 after pg_terminate_backend or a fast shutdown)
    /// just before closing: prefer that classified error, which tells whether the statement ran.
    private func failureOfLostConnection(_ raw: OpaquePointer) -> PreferenceStoreError {
        for _ in 0..<16 {
            guard let next = PQgetResult(raw) else { break }
            let result = PGResult(next)
            if result.status == PGRES_FATAL_ERROR, PQresultErrorField(next, Int32(UInt8(ascii: "C"))) != nil {
                return statementFailure(result)
            }
        }
        return lostConnection(during: "read")
    }

    func lostConnection(during phase: String) -> PreferenceStoreError {
        let error = PreferenceStoreError(.unavailable, "lost the database connection (\(phase))", detail: libpqMessage)
        close()
        return error
    }

    func statementFailure(_ result: PGResult) -> PreferenceStoreError {
        let sqlState = PQresultErrorField(result.raw, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
        let message = PQresultErrorMessage(result.raw).map { String(cString: $0) }?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let connectionBroken = raw.map { PQstatus($0) != CONNECTION_OK } ?? true
        if connectionBroken { close() }
        guard let sqlState else {
            return PreferenceStoreError(.unavailable, "lost the database connection", detail: message)
        }
        let (code, text, didNotExecute) = Self.classify(sqlState: sqlState)
        return PreferenceStoreError(connectionBroken && code == .internalError ? .unavailable : code, text,
                                    sqlState: sqlState, detail: message, didNotExecute: didNotExecute)
    }

    static func classify(sqlState: String) -> (PreferenceStoreError.Code, String, didNotExecute: Bool) {
        switch sqlState {
        case "57014": return (.timeout, "statement timed out", false)
        case "55P03": return (.timeout, "lock wait timed out", false)
        case "57P01", "57P02", "57P03": return (.unavailable, "database is shutting down or starting", true)
        case "23505", "40001", "40P01": return (.conflict, "concurrent modification", false)
        case "23503": return (.notFound, "referenced row does not exist", false)
        case "23502", "23514": return (.invalidInput, "value violates a constraint", false)
        default: break
        }
        switch sqlState.prefix(2) {
        case "08", "53": return (.unavailable, "database unavailable", true)
        case "22": return (.invalidInput, "invalid value", false)
        default: return (.internalError, "database error", false)
        }
    }

    private var libpqMessage: String? {
        raw.flatMap { PQerrorMessage($0) }.map { String(cString: $0).trimmingCharacters(in: .whitespacesAndNewlines) }
    }
}
