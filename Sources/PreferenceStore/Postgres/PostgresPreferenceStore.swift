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
