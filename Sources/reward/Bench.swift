import ArgumentParser

/// `reward bench …`: benchmarks that print a table (recorded in BENCHMARKS.md). A group, so the
/// store and HTTP benchmarks join as further subcommands.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a benchmark and print its table.",
        subcommands: [BenchModel.self, BenchEncoder.self, BenchStore.self, BenchJSON.self, BenchHeadScore.self, BenchRespond.self]
    )
}

/// Wall-clock samples and their percentiles.
struct Samples {
    private(set) var seconds: [Double] = []

    mutating func time<T>(_ body: () throws -> T) rethrows -> T {
        let clock = ContinuousClock()
        let start = clock.now
        let result = try body()
        let d = clock.now - start
        seconds.append(Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
        return result
    }

    /// Nearest-rank percentile.
    func percentile(_ p: Double) -> Double {
        let sorted = seconds.sorted()
        guard !sorted.isEmpty else { return .nan }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    var total: Double { seconds.reduce(0, +) }
}

func formatDuration(_ seconds: Double) -> String {
    if seconds < 1e-3 { return String(format: "%.1f µs", seconds * 1e6) }
    if seconds < 1 { return String(format: "%.2f ms", seconds * 1e3) }
    return String(format: "%.2f s", seconds)
}

func formatRate(_ perSecond: Double) -> String {
    perSecond >= 1e6 ? String(format: "%.2fM", perSecond / 1e6) : (perSecond >= 1e3 ? String(format: "%.1fk", perSecond / 1e3) : String(format: "%.0f", perSecond))
}

import Foundation
