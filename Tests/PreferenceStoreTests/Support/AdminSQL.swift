import Foundation

@testable import PreferenceStore

/// Direct SQL for test setup and fault injection, on its own connection and thread.
enum AdminSQL {
    /// Runs `sql` and returns the first column of every row as text (NULL as "").
    @discardableResult
    static func query(_ sql: String, url: String? = TestDatabase.url, schema: String? = nil) async throws -> [String] {
        var configuration = PostgresConfiguration(url: url ?? "")
        configuration.schema = schema
        configuration.applicationName = "reward-test-admin"
        let settings = configuration.settings(statementTimeout: .seconds(30), purpose: "admin")
        return try await BlockingThread.run(name: "test-admin") {
            let connection = try PGConnection.connect(settings, deadline: .after(.seconds(10)))
            defer { connection.close() }
            let result = try connection.query("SELECT x::text FROM (\(sql)) AS q(x)", deadline: .after(.seconds(30)))
            return (0..<result.rowCount).map { result.optionalString($0, 0) ?? "" }
        }
    }

    static func execute(_ sql: String, url: String? = TestDatabase.url) async throws {
        var configuration = PostgresConfiguration(url: url ?? "")
        configuration.applicationName = "reward-test-admin"
        let settings = configuration.settings(statementTimeout: .seconds(30), purpose: "admin")
        try await BlockingThread.run(name: "test-admin") {
            let connection = try PGConnection.connect(settings, deadline: .after(.seconds(10)))
            defer { connection.close() }
            try connection.execute(script: sql, deadline: .after(.seconds(30)))
        }
    }

    /// Waits until `condition` holds, polling; false on timeout.
    static func eventually(within limit: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }
}

extension PostgresPreferenceStore {
    /// The server pid of the connection the next operation gets (pool size 1 makes it deterministic).
    func backendPID() async throws -> Int32 {
        try await pool.withConnection(idempotent: true) { connection, deadline in
            Int32(try connection.query("SELECT pg_backend_pid()", deadline: deadline).int64(0, 0))
        }
    }

    func sleepOnServer(_ seconds: Double) async throws {
        var parameters = PGParameters()
        parameters.append(seconds)
        try await pool.withConnection(idempotent: false) { [parameters] connection, deadline in
            _ = try connection.query("SELECT pg_sleep($1)", parameters, deadline: deadline)
        }
    }
}
