import Foundation
import Logging

/// How the executable gets its store: a configured server, or else the embedded cluster.
public enum StoreBootstrap {
    /// Runs `body` with a `PostgresConfiguration` for `url`, or — when `url` is nil — for an embedded cluster in
    /// `<stateDirectory>/pg` that is started first and stopped after `body` returns or throws.
    public static func withStore<T>(
        url: String?, stateDirectory: String, poolSize: Int = 4, logger: Logger,
        _ body: (PostgresConfiguration) async throws -> T
    ) async throws -> T {
        if let url {
            var configuration = PostgresConfiguration(url: url)
            configuration.poolSize = poolSize
            return try await body(configuration)
        }
        logger.info("store.embedded.using", metadata: ["state_dir": "\(stateDirectory)"])
        let cluster = try await EmbeddedPostgres.start(EmbeddedPostgres.Options(directory: stateDirectory + "/pg"), logger: logger)
        var configuration = PostgresConfiguration(url: cluster.url)
        configuration.poolSize = poolSize
        do {
            let value = try await body(configuration)
            try await cluster.stop()
            return value
        } catch {
            do { try await cluster.stop() } catch { logger.error("store.embedded.stop_failed", metadata: ["error": "\(error)"]) }
            throw error
        }
    }
}
