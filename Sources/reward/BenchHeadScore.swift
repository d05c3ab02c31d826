import ArgumentParser
import Foundation
import RewardModel
import Tensors

/// `reward bench head-score`: in-process score throughput of one head directory at one batch size
/// (population state, no prompt — what the HTTP benchmark's 1-item requests ask for), with a given
/// BLAS thread count. Tools/bench-api.sh compares the service's rate under 64 clients with this.
struct BenchHeadScore: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "head-score", abstract: "Items/s of one head scoring batches in process (prints one number).")

    @Option(help: "Head directory.") var head: String
    @Option(help: "Items per batch.") var batch = 1024
    @Option(help: "OpenBLAS threads (the service's model worker uses --blas-threads, default 1).") var threads = 1
    @Option(help: "Seconds to measure.") var seconds = 2.0

    func run() throws {
        BLAS.setThreadCount(threads)
        let model = try RewardHead.load(directory: head)
        var g = SeededGenerator(seed: 5)
        let items = Oracle.gaussianItems(count: batch, dim: model.featureDim, generator: &g)
        var samples = Samples()
        _ = try model.score(items: items)
        while samples.total < seconds { _ = try samples.time { try model.score(items: items) } }
        print(String(format: "%.0f", Double(batch * samples.seconds.count) / samples.total))
    }
}
