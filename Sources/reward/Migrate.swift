import ArgumentParser
import Logging
import PreferenceStore

/// `reward migrate`: applies the schema migrations compiled into this binary (the service also applies them
/// at startup). Safe to run while replicas start: migrations run under an advisory lock.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply database schema migrations.")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let logger = Logger(label: "reward")
        try await database.withStoreConfiguration(logger: logger) { configuration in
            let report = try await Migrator(configuration: configuration, logger: logger).run()
            print("schema version \(report.current); applied \(report.applied.isEmpty ? "nothing" : report.applied.map(String.init).joined(separator: ", "))")
            if !report.unknown.isEmpty {
                print("warning: the database has migrations this binary does not know: \(report.unknown) (a newer version migrated it)")
            }
        }
    }
}
