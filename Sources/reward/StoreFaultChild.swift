import ArgumentParser
import Foundation
import PreferenceStore

/// Hidden: appends one large batch and exits. The store's fault tests SIGKILL it mid-append and then check
/// that the batch is either fully present or fully absent.
struct StoreFaultChild: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store-fault-child", abstract: "Test helper: append one big batch.", shouldDisplay: false)

    @Option var databaseURL: String
    @Option var applicationName: String
    @Option var tenant: String = UserKey.defaultTenant
    @Option var user: String
    @Option var rows: Int = 10_000
    @Option var dim: Int = 384

    func run() async throws {
        var configuration = PostgresConfiguration(url: databaseURL)
        configuration.poolSize = 1
        configuration.applicationName = applicationName
        configuration.statementTimeout = .seconds(120)
        let store = try await PostgresPreferenceStore.connect(configuration, migrate: false)
        let batch = (0..<rows).map { i in
            NewComparison(clientID: "row-\(i)", featureSpace: "fault/\(dim)",
                          prompt: [Float](repeating: Float(i), count: dim), chosen: [Float](repeating: 1, count: dim),
                          rejected: [Float](repeating: -1, count: dim))
        }
        print("appending")
        fflush(nil)
        let result = try await store.appendComparisons(batch, for: UserKey(tenant: tenant, userID: user))
        print("appended \(result.insertedCount)")
        await store.shutdown()
    }
}
