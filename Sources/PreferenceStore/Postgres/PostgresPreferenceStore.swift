import Foundation
import Logging

/// The product `PreferenceStore`: PostgreSQL through libpq. A bounded pool of connections, each owned by one
/// OS thread; a separate LISTEN connection for state-change notifications. Every write returns after COMMIT
/// (`synchronous_commit=on`).
public final class PostgresPreferenceStore: PreferenceStore {
    let pool: ConnectionPool
    let configuration: PostgresConfiguration
    let logger: Logger
    private let listener: StateChangeListener

    /// Connects (verifying the server is reachable), and applies pending migrations unless `migrate` is false.
    public static func connect(
        _ configuration: PostgresConfiguration, migrate: Bool = true, logger: Logger = Logger(label: "reward.store")
    ) async throws -> PostgresPreferenceStore {
        let configuration = try configuration.validated()
        if migrate {
            let report = try await Migrator(configuration: configuration, logger: logger).run()
            logger.info("store.migrated", metadata: ["schema.version": "\(report.current)", "schema.applied": "\(report.applied)"])
        }
        let store = PostgresPreferenceStore(configuration: configuration, logger: logger)
        do {
            try await store.checkHealth()
        } catch {
            await store.shutdown()
            throw error
        }
        return store
    }

    init(configuration: PostgresConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        pool = ConnectionPool(configuration: configuration, logger: logger)
        listener = StateChangeListener(
            settings: configuration.settings(statementTimeout: .seconds(10), purpose: "listen"),
            backoff: configuration.reconnectBackoff, logger: logger)
    }

    public func ensureTenant(_ tenant: String) async throws {
        try Validation.identifier(tenant, "tenant")
        var parameters = PGParameters()
        parameters.append(tenant)
        try await pool.withConnection(idempotent: true) { [parameters] connection, deadline in
            _ = try connection.query(SQL.ensureTenant, parameters, deadline: deadline)
        }
    }

    public func checkHealth() async throws {
        try await pool.withConnection(idempotent: true) { connection, deadline in
            _ = try connection.query("SELECT 1", deadline: deadline)
        }
    }

    public func stateChanges() -> AsyncStream<StateChange> {
        listener.subscribe()
    }

    public func shutdown() async {
        await listener.stop()
        await pool.close()
    }

    static func userParameters(_ user: UserKey) -> PGParameters {
        var parameters = PGParameters()
        parameters.append(user.tenant)
        parameters.append(user.userID)
        return parameters
    }
}

// MARK: - Users and states

extension PostgresPreferenceStore {
    public func loadState(for user: UserKey, head: String) async throws -> UserState? {
        try Validation.user(user)
        try Validation.identifier(head, "head")
        var parameters = Self.userParameters(user)
        parameters.append(head)
        return try await pool.withConnection(idempotent: true) { [parameters] connection, deadline in
            let result = try connection.query(SQL.loadState, parameters, deadline: deadline)
            return result.rowCount == 0 ? nil : try Self.decodeState(result, row: 0, tenant: user.tenant)
        }
    }

    public func loadStates(for user: UserKey) async throws -> [UserState] {
        try Validation.user(user)
        let parameters = Self.userParameters(user)
        return try await pool.withConnection(idempotent: true) { [parameters] connection, deadline in
            let result = try connection.query(SQL.loadStates, parameters, deadline: deadline)
            return try (0..<result.rowCount).map { try Self.decodeState(result, row: $0, tenant: user.tenant) }
        }
    }

    public func saveState(_ draft: UserStateDraft, expectedVersion: Int64?) async throws -> UserState {
        try Validation.state(draft)
        var parameters = Self.userParameters(draft.user)
        parameters.append(draft.head)
        parameters.append(draft.headVersion)
        parameters.append(draft.theta)
        parameters.append(draft.precision)
        parameters.append(Int64(draft.comparisonCount))
        if let expectedVersion { parameters.append(expectedVersion) }
        let statement = expectedVersion == nil ? SQL.insertState : SQL.updateState
        let saved: UserState? = try await pool.withConnection(idempotent: false) { [parameters] connection, deadline in
            let result = try connection.query(statement, parameters, deadline: deadline)
            return result.rowCount == 0 ? nil : try Self.decodeState(result, row: 0, tenant: draft.user.tenant)
        }
        if let saved { return saved }
        if expectedVersion == nil, try await !tenantExists(draft.user.tenant) {
            throw PreferenceStoreError(.notFound, "unknown tenant")
        }
        throw PreferenceStoreError(.conflict, "user state version moved (expected \(expectedVersion.map(String.init) ?? "none"))")
    }

    public func deleteUser(_ user: UserKey) async throws -> DeletedUser {
        try Validation.user(user)
        let parameters = Self.userParameters(user)
        // One statement: both deletes and the NOTIFY commit together.
        return try await pool.withConnection(idempotent: true) { [parameters] connection, deadline in
            let result = try connection.query(SQL.deleteUser, parameters, deadline: deadline)
            return DeletedUser(comparisons: Int(try result.int64(0, 0)), states: Int(try result.int64(0, 1)))
        }
    }

    public func counts(for user: UserKey) async throws -> UserCounts {
        try Validation.user(user)
        let parameters = Self.userParameters(user)
        return try await pool.withConnection(idempotent: true) { [parameters] connection, deadline in
            try connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", deadline: deadline)
            defer { connection.rollbackOrClose() }
            let spaces = try connection.query(SQL.countComparisons, parameters, deadline: deadline)
            var bySpace: [String: Int] = [:]
            for row in 0..<spaces.rowCount { bySpace[spaces.string(row, 0)] = Int(try spaces.int64(row, 1)) }
            let states = try connection.query(SQL.countStates, parameters, deadline: deadline)
            return UserCounts(comparisons: bySpace.values.reduce(0, +), comparisonsByFeatureSpace: bySpace,
                              states: Int(try states.int64(0, 0)))
        }
    }

    func tenantExists(_ tenant: String) async throws -> Bool {
        var parameters = PGParameters()
        parameters.append(tenant)
        return try await pool.withConnection(idempotent: true) { [parameters] connection, deadline in
            try connection.query(SQL.tenantExists, parameters, deadline: deadline).rowCount > 0
        }
    }

    static func decodeState(_ result: PGResult, row: Int, tenant: String) throws -> UserState {
        UserState(
            user: UserKey(tenant: tenant, userID: result.string(row, 0)), head: result.string(row, 1),
            headVersion: result.string(row, 2), theta: try result.doubles(row, 3),
            precision: try result.optionalDoubles(row, 4), comparisonCount: Int(try result.int64(row, 5)),
            version: try result.int64(row, 6), updatedAt: try result.date(row, 7))
    }
}
