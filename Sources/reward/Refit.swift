import ArgumentParser
import Foundation
import Logging
import PreferenceStore
import RewardService

/// `reward refit`: refits, in bulk, every stored user state whose head version differs from the
/// served head's — what the service otherwise does lazily on each user's first request after a
/// head upgrade. Run it after deploying a new head version to avoid those first-request refits.
struct Refit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Refit every stored user state fitted for another version of the heads (after a head upgrade).")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var service: ServiceOptions

    @Option(help: "Users per store page.")
    var pageSize = 200

    func run() async throws {
        let logger = Logger(label: "reward")
        let interactive = isatty(STDERR_FILENO) == 1
        try await database.withStoreConfiguration(logger: logger) { storeConfiguration in
            let store = try await PostgresPreferenceStore.connect(storeConfiguration, logger: logger)
            var reports: [RefitProgress] = []
            do {
                // Stored comparisons carry their features: refitting embeds nothing, so no encoder is loaded.
                let rewards = try service.makeService(store: store, logger: logger, withEncoder: false)
                for head in rewards.heads {
                    var lastLine = ContinuousClock.now
                    let report = try await rewards.refitStaleStates(head: head.name, pageSize: pageSize, progress: { p in
                        // One progress line, rewritten in place on a terminal, every second in a log.
                        let now = ContinuousClock.now
                        guard interactive || now - lastLine >= .seconds(1) else { return }
                        lastLine = now
                        Self.printProgress(p, final: false, interactive: interactive)
                    }, failure: { user, error in
                        logger.error("refit failed", metadata: ["user": "\(user)", "head.name": "\(head.name)", "error": "\(error.message)"])
                    })
                    Self.printProgress(report, final: true, interactive: interactive)
                    reports.append(report)
                }
                await rewards.shutdown()
            } catch {
                await store.shutdown()
                throw error
            }
            await store.shutdown()
            let total = reports.reduce(into: (0, 0, 0)) { $0.0 += $1.refitted; $0.1 += $1.withoutHistory; $0.2 += $1.failed }
            print("refit done: \(total.0) states refitted, \(total.1) without history (served as cold starts), \(total.2) failed, over \(reports.count) head(s)")
            if total.2 > 0 { throw ExitCode.failure }
        }
    }

    static func printProgress(_ p: RefitProgress, final: Bool, interactive: Bool) {
        let line = "refit \(p.head) (version \(p.headVersion)): \(p.processed) stale states — \(p.refitted) refitted, \(p.withoutHistory) without history, \(p.failed) failed"
        if interactive {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line + (final ? "\n" : "")).utf8))
        } else {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }
}
