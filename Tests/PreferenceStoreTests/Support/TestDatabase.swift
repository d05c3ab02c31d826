import Foundation
import Logging
import Testing

@testable import PreferenceStore

/// The Postgres server the integration tests use: DATABASE_URL (exported by `make test` / Tools/pg.sh).
/// Without it the Postgres tests are skipped on a laptop; under CI=true `databaseConfiguredUnderCI` fails.
enum TestDatabase {
    static let url: String? = ProcessInfo.processInfo.environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static var isConfigured: Bool { url != nil }
    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }
    /// All shared-store tests use this schema (migrated once); each test isolates itself with its own tenant.
    static let schema = "reward_test"

    static func configuration(schema: String? = TestDatabase.schema, applicationName: String = "reward-test") -> PostgresConfiguration {
        var configuration = PostgresConfiguration(url: url ?? "")
        configuration.schema = schema
        configuration.applicationName = applicationName
        configuration.poolSize = 4
        return configuration
    }

    /// One migrated store shared by the contract tests (a pool per test would be wasteful).
    static func sharedStore() async throws -> PostgresPreferenceStore {
        try await SharedStore.instance.get()
    }

    static let logger = Logger(label: "reward.store.test")

    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
    }
}

private actor SharedStore {
    static let instance = SharedStore()
    private var creation: Task<PostgresPreferenceStore, Error>?

    /// Single flight: concurrent tests share one connect-and-migrate.
    func get() async throws -> PostgresPreferenceStore {
        if creation == nil {
            creation = Task { try await PostgresPreferenceStore.connect(TestDatabase.configuration(), logger: TestDatabase.logger) }
        }
        return try await creation!.value
    }
}

@Suite struct DatabaseConfigurationTests {
    @Test func databaseConfiguredUnderCI() {
        if TestDatabase.isCI {
            #expect(TestDatabase.isConfigured, "CI=true but DATABASE_URL is not set: the Postgres tests would not run")
        }
    }
}
