import Foundation
import Logging

/// Applies `Migration.all` under a session advisory lock, so replicas starting together apply each migration
/// exactly once; the others wait for the lock and then find nothing left to do.
public struct Migrator: Sendable {
    public struct Report: Sendable, Equatable {
        /// Versions applied by this run, in order.
        public var applied: [Int]
        /// The schema version after the run.
        public var current: Int
        /// Versions recorded in the database that this binary does not know (a newer binary migrated it).
        public var unknown: [Int]
    }

    /// Chosen once; identifies "reward schema migrations" among advisory locks (combined with the schema name).
    static let lockNamespace: Int32 = 0x5245_5744  // "REWD"

    let configuration: PostgresConfiguration
    let migrations: [Migration]
    let logger: Logger

    public init(configuration: PostgresConfiguration, logger: Logger = Logger(label: "reward.store"), migrations: [Migration] = Migration.all) {
        self.configuration = configuration
        self.migrations = migrations
        self.logger = logger
    }

    /// Connects, migrates, disconnects. Runs its blocking libpq work on its own thread.
    public func run(lockTimeout: Duration = .seconds(60)) async throws -> Report {
        let configuration = try configuration.validated()
        let migrations = migrations
        let logger = logger
        return try await BlockingThread.run(name: "pg-migrate") {
            let settings = configuration.settings(statementTimeout: nil, purpose: "migrate")
            let connection = try PGConnection.connect(settings, deadline: .after(configuration.connectTimeout))
            defer { connection.close() }
            return try Self.migrate(connection, schema: configuration.schema, migrations: migrations,
                                    lockTimeout: lockTimeout, logger: logger)
        }
    }

    static func migrate(
        _ connection: PGConnection, schema: String?, migrations: [Migration], lockTimeout: Duration, logger: Logger
    ) throws -> Report {
        let generous = Deadline.after(lockTimeout + .seconds(600))
        var lockKey = PGParameters()
        lockKey.append(lockNamespace)
        lockKey.append(schema ?? "")
        try connection.query("SET lock_timeout = \(lockTimeout.milliseconds)", deadline: generous)
        try connection.query("SELECT pg_advisory_lock($1, hashtext($2))", lockKey, deadline: generous)
        defer { _ = try? connection.query("SELECT pg_advisory_unlock($1, hashtext($2))", lockKey, deadline: .after(.seconds(5))) }
        try connection.query("SET lock_timeout = 0", deadline: generous)
        if let schema {
            try connection.query("CREATE SCHEMA IF NOT EXISTS \(schema)", deadline: generous)  // validated identifier
        }
        try connection.query("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version     integer PRIMARY KEY,
                name        text NOT NULL,
                checksum    bigint NOT NULL,
                applied_at  timestamptz NOT NULL DEFAULT now()
            )
            """, deadline: generous)
        let existing = try connection.query("SELECT version, checksum FROM schema_migrations ORDER BY version", deadline: generous)
        var recorded: [Int: Int64] = [:]
        for row in 0..<existing.rowCount {
            recorded[Int(try existing.int64(row, 0))] = try existing.int64(row, 1)
        }
        var applied: [Int] = []
        for migration in migrations.sorted(by: { $0.version < $1.version }) {
            if let checksum = recorded[migration.version] {
                guard checksum == migration.checksum else {
                    throw PreferenceStoreError(.internalError, "migration \(migration.version) was changed after it was applied")
                }
                continue
            }
            try connection.transaction(deadline: generous) {
                try connection.execute(script: migration.sql, deadline: generous)
                var record = PGParameters()
                record.append(Int64(migration.version))
                record.append(migration.name)
                record.append(migration.checksum)
                try connection.query("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1::int, $2, $3)", record, deadline: generous)
            }
            logger.info("store.migration.applied", metadata: ["migration.version": "\(migration.version)", "migration.name": "\(migration.name)"])
            applied.append(migration.version)
        }
        let known = Set(migrations.map(\.version))
        let unknown = recorded.keys.filter { !known.contains($0) }.sorted()
        let current = (Array(recorded.keys) + applied).max() ?? 0
        return Report(applied: applied, current: current, unknown: unknown)
    }
}
