import ArgumentParser
import Foundation
import Logging
import PreferenceStore
import Tensors
import TextEncoder

/// `reward reembed`: after the backbone changes, moves stored history into the new encoder's feature
/// space by embedding the texts kept with each comparison again. Comparisons sent as bare features
/// (no text) cannot be recomputed and stay in their old space; heads of the new backbone never see
/// them (the service fits a head only on history in its own feature space).
struct Reembed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-embed stored comparisons whose feature space differs from the encoder's, in batches.")

    @Option(help: "Text encoder model directory; its directory name is the backbone name heads record.")
    var encoder = ".reward/models/all-MiniLM-L6-v2"

    @Option(help: "Comparisons per batch (one encoder call and one transaction each).")
    var batchSize = 128

    @Option(help: "OpenBLAS threads for the encoder.")
    var threads = 1

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        guard batchSize > 0, threads > 0 else { throw ValidationError("--batch-size and --threads must be positive") }
        let model = try TextEncoder(directory: encoder)
        BLAS.setThreadCount(threads)
        let space = "\(model.modelName)/\(model.dimension)"
        let logger = Logger(label: "reward")
        let started = ContinuousClock.now
        // A terminal gets one redrawn line; a log gets a line at most every 5 s (and the last one).
        let terminal = isatty(2) == 1
        var lastLine = started
        let summary = try await database.withStoreConfiguration(logger: logger) { configuration in
            let store = try await PostgresPreferenceStore.connect(configuration, logger: logger)
            defer { Task { await store.shutdown() } }
            do {
                let s = try await store.reembed(into: space, batchSize: batchSize, embed: { texts in
                    let m = model.embed(texts)
                    return (0..<m.rows).map { Array(m.row($0)) }
                }, progress: { s in
                    let done = s.reembedded + s.withoutText + s.changedMeanwhile
                    guard terminal || ContinuousClock.now - lastLine >= .seconds(5) || done == s.candidates else { return }
                    lastLine = ContinuousClock.now
                    FileHandle.standardError.write(Data(String(format: "%@reembed → %@: %d / %d comparisons (%.0f%%), %.1f s%@",
                        terminal ? "\r" : "", space, done, s.candidates, s.candidates == 0 ? 100 : 100 * Double(done) / Double(s.candidates),
                        Self.seconds(since: started), terminal ? "" : "\n").utf8))
                })
                if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
                await store.shutdown()
                return s
            } catch {
                await store.shutdown()
                throw error
            }
        }
        let seconds = Self.seconds(since: started)
        print("reembed into \(space): \(summary.reembedded) of \(summary.candidates) comparisons re-embedded "
            + "(\(summary.textsEmbedded) distinct texts, " + String(format: "%.1f s, %.0f comparisons/s", seconds, Double(summary.reembedded) / max(seconds, 1e-9)) + "); "
            + "\(summary.withoutText) kept in their old space (sent as features, no text); "
            + "\(summary.changedMeanwhile) changed meanwhile (run again); "
            + "\(summary.usersInvalidated) user(s) affected: their stored states were invalidated (refitted from history on next use)")
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}
