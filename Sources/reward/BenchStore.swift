import ArgumentParser
import Foundation
import Logging
import PreferenceStore

/// `reward bench store`: preference-store throughput and latency (BENCHMARKS.md, "Preference store").
struct BenchStore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "store", abstract: "Benchmark the PostgreSQL preference store (release build).")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Comparisons per measured run (per dimension and method).")
    var rows: Int = 20_000

    @Option(help: "Comparisons per batch.")
    var batch: Int = 500

    @Flag(help: "Fewer rows (a smoke run, not for BENCHMARKS.md).")
    var quick = false

    func run() async throws {
        var options = StoreBenchmark.Options()
        options.rows = quick ? 2_000 : rows
        options.batchSize = batch
        options.singleAppends = quick ? 100 : 500
        options.historyPages = quick ? 20 : 200
        let logger = Logger(label: "reward")
        let report = try await database.withStoreConfiguration(logger: logger) { configuration in
            try await StoreBenchmark(configuration: configuration, options: options).run { print("… \($0)") }
        }
        print("\nreward bench store — \(ProcessInfo.processInfo.activeProcessorCount) cores, prompt+chosen+rejected f32 features")
        print(pad("method", 52) + pad("rows", 8) + pad("seconds", 10) + "comparisons/s")
        for row in report.rows {
            print(pad(row.name, 52) + pad("\(row.rows)", 8) + pad(String(format: "%.3f", row.seconds), 10) + String(format: "%.0f", row.perSecond))
        }
        for dimension in options.dimensions {
            let rows = report.rows.filter { $0.name.hasSuffix("d=\(dimension)") }
            guard let append = rows.first(where: { $0.name.hasPrefix("append, batches") && !$0.name.contains("clients") }) else { continue }
            let sameBatches = rows.filter { $0.name.contains("COPY") && $0.name.contains("\(options.batchSize)/txn") }.map(\.perSecond).max() ?? .nan
            let best = rows.filter { $0.name.contains("COPY") }.map(\.perSecond).max() ?? .nan
            print(String(format: "d=%d: batched append = %.0f%% of the fastest COPY with %d rows/txn, %.0f%% of the fastest COPY overall",
                         dimension, append.perSecond / sameBatches * 100, options.batchSize, append.perSecond / best * 100))
        }
        for latency in report.historyLatencies {
            print(String(format: "history page of %d at d=%d: p50 %.2f ms, p99 %.2f ms", options.pageSize, latency.dimension, latency.p50 * 1e3, latency.p99 * 1e3))
        }
        report.notes.forEach { print("note: \($0)") }
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
