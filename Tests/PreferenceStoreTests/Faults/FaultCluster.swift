import Foundation

@testable import PreferenceStore

/// A private cluster per fault test (EmbeddedPostgres in a temp directory), so restarting or stopping it
/// cannot disturb tests running in parallel against DATABASE_URL. Uses $PGBIN when set (Tools/pg.sh sets it).
struct FaultCluster {
    let cluster: EmbeddedPostgres
    let directory: String

    static func start() async throws -> FaultCluster {
        let directory = NSTemporaryDirectory() + "reward-fault-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        chmod(directory, 0o755)
        var options = EmbeddedPostgres.Options(directory: directory + "/pg")
        options.fastInitdb = true
        let cluster = try await EmbeddedPostgres.start(options, logger: TestDatabase.logger)
        return FaultCluster(cluster: cluster, directory: directory)
    }

    func remove() async {
        try? await cluster.pgCtl(["-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(atPath: directory)
    }

    func configuration(_ applicationName: String) -> PostgresConfiguration {
        var configuration = PostgresConfiguration(url: cluster.url)
        configuration.applicationName = applicationName
        configuration.poolSize = 2
        configuration.connectTimeout = .seconds(1)
        configuration.statementTimeout = .seconds(3)
        configuration.clientGrace = .seconds(1)
        return configuration
    }

    /// Runs `body`, removing the cluster afterwards whatever happens.
    static func with(_ body: (FaultCluster) async throws -> Void) async throws {
        let cluster = try await start()
        do {
            try await body(cluster)
        } catch {
            await cluster.remove()
            throw error
        }
        await cluster.remove()
    }
}
