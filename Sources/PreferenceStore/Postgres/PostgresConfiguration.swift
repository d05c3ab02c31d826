/// How to reach and use a PostgreSQL server. Defaults suit one service replica on a small machine.
public struct PostgresConfiguration: Sendable {
    /// A libpq connection URI (`postgres://user@host:port/db?…`) or key=value conninfo string.
    public var url: String
    /// Connections in the pool; each has one dedicated OS thread for its blocking libpq work.
    public var poolSize: Int = 4
    /// How long a caller waits for a free connection before `.overloaded`.
    public var acquireTimeout: Duration = .seconds(5)
    /// Callers allowed to wait for a connection at once; more fail immediately with `.overloaded`.
    public var maxWaiters: Int = 1024
    public var connectTimeout: Duration = .seconds(3)
    /// Server-side `statement_timeout` for every statement of the pool.
    public var statementTimeout: Duration = .seconds(10)
    /// Extra time the client waits beyond `statementTimeout` before it gives up on a silent server.
    public var clientGrace: Duration = .seconds(2)
    /// TCP: fail a connection whose sent data stays unacknowledged this long, and probe idle ones.
    public var tcpUserTimeout: Duration = .seconds(10)
    public var keepalivesIdle: Duration = .seconds(10)
    public var keepalivesInterval: Duration = .seconds(3)
    public var keepalivesCount: Int = 3
    /// Reconnect backoff after a failed connect doubles from the first value up to the second.
    public var reconnectBackoff: (first: Duration, max: Duration) = (.milliseconds(50), .seconds(1))
    public var applicationName: String = "reward"
    /// Schema for every table (`search_path`); nil keeps the server's default (`public`).
    /// Letters, digits and underscores only.
    public var schema: String?

    public init(url: String) {
        self.url = url
    }

    var clientTimeout: Duration { statementTimeout + clientGrace }

    func validated() throws -> PostgresConfiguration {
        guard poolSize >= 1, poolSize <= 256 else { throw PreferenceStoreError(.invalidInput, "pool size must be 1…256") }
        guard maxWaiters >= 0 else { throw PreferenceStoreError(.invalidInput, "maxWaiters must be ≥ 0") }
        if let schema {
            let allowed = schema.utf8.allSatisfy { $0 == UInt8(ascii: "_") || ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 122) }
            guard !schema.isEmpty, schema.utf8.count <= 63, allowed, !(schema.utf8.first! >= 48 && schema.utf8.first! <= 57) else {
                throw PreferenceStoreError(.invalidInput, "schema must be a lower-case identifier")
            }
        }
        return self
    }

    /// libpq settings for pooled connections.
    var poolSettings: ConnectionSettings { settings(statementTimeout: statementTimeout, purpose: "pool") }

    /// Settings without a statement timeout (migrations, LISTEN).
    func settings(statementTimeout: Duration?, purpose: String) -> ConnectionSettings {
        var options = ["-c synchronous_commit=on", "-c client_min_messages=warning"]
        if let statementTimeout { options.append("-c statement_timeout=\(statementTimeout.milliseconds)") }
        if let schema { options.append("-c search_path=\(schema)") }
        let parameters: [(String, String)] = [
            ("dbname", url),  // expanded first (expand_dbname=1); the keys below override it
            ("application_name", "\(applicationName)-\(purpose)"),
            ("connect_timeout", String(max(2, connectTimeout.milliseconds / 1000))),
            ("keepalives", "1"),
            ("keepalives_idle", String(max(1, keepalivesIdle.milliseconds / 1000))),
            ("keepalives_interval", String(max(1, keepalivesInterval.milliseconds / 1000))),
            ("keepalives_count", String(keepalivesCount)),
            ("tcp_user_timeout", String(tcpUserTimeout.milliseconds)),
            ("options", options.joined(separator: " ")),
        ]
        return ConnectionSettings(parameters: parameters, connectTimeout: connectTimeout)
    }
}

/// Everything a worker needs to (re)connect.
struct ConnectionSettings: Sendable {
    let parameters: [(String, String)]
    let connectTimeout: Duration
}
