import ArgumentParser
import Foundation
import Logging
import PreferenceStore

/// Where the preference store lives: `--database-url` / `DATABASE_URL`, or else the private cluster that
/// `reward` runs itself in `--state-dir` (default ./.reward).
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database-url"), help: "PostgreSQL URL (default: $DATABASE_URL; without either, a private cluster in --state-dir).")
    var databaseURL: String?

    @Option(name: .customLong("state-dir"), help: "Directory for local state, including the private PostgreSQL cluster.")
    var stateDirectory: String = ".reward"

    @Option(name: .customLong("db-pool-size"), help: "Database connections in the pool.")
    var poolSize: Int = 4

    var resolvedURL: String? {
        databaseURL ?? ProcessInfo.processInfo.environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Runs `body` with a configuration for the chosen server; a private cluster is started before and
    /// stopped after (also when `body` throws).
    func withStoreConfiguration<T>(logger: Logger, _ body: (PostgresConfiguration) async throws -> T) async throws -> T {
        try await StoreBootstrap.withStore(url: resolvedURL, stateDirectory: stateDirectory, poolSize: poolSize, logger: logger, body)
    }
}
