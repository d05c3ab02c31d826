import ArgumentParser
import Foundation
import Tensors
import TextEncoder

/// `reward bench encoder`: text-encoder throughput and latency for short (~12-token) and full
/// 256-token inputs at batch 1 and 32, end to end (tokenize + forward + pool).
struct BenchEncoder: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "encoder", abstract: "Benchmark the text encoder (release build; needs make encoder).")

    @Option(help: "Model directory (make encoder puts all-MiniLM-L6-v2 here).")
    var encoder = ".reward/models/all-MiniLM-L6-v2"

    @Option(parsing: .upToNextOption, help: ArgumentHelp(
        "Thread counts to measure (`reward serve` splits each forward over --encoder-threads, default one per core).",
        discussion: "With more than one thread the encoder splits its forward over that many threads itself, OpenBLAS single-threaded inside."))
    var threads: [Int] = [1, 2]

    @Option(help: "Seconds of measurement per row.")
    var seconds: Double = 2

    enum Inputs: String, ExpressibleByArgument { case all, short, long }

    @Option(help: "Which inputs: all, short or long.")
    var inputs: Inputs = .all

    @Option(parsing: .upToNextOption, help: "Batch sizes to measure.")
    var batches: [Int] = [1, 32]

    @Flag(help: "Fewer repetitions (a smoke run, not for BENCHMARKS.md).")
    var quick = false

    static let shortTexts = [
        "The quick brown fox jumps over the lazy dog.",
        "I prefer concise answers with code examples please.",
        "This response explains the steps clearly and briefly.",
        "Which of these two arguments is more convincing here?",
    ]

    static let longText = String(repeating: "The annotator preferred the second response because it was more detailed and cited its sources. ", count: 20)

    func run() throws {
        let model = try TextEncoder(directory: encoder)
        let shortLengths = Self.shortTexts.map { model.tokenize($0).count }
        let longLength = model.tokenize(Self.longText).count
        print("reward bench encoder — \(model.modelName) (\(model.configuration.layerCount) layers, d=\(model.dimension)), "
            + "\(ProcessInfo.processInfo.activeProcessorCount) cores")
        print("short texts: \(shortLengths.map(String.init).joined(separator: "/")) tokens; long text: \(longLength) tokens (truncated at \(model.maxTokens))\n")
        print("| input | batch | threads | sentences/s | latency p50 (per call) | p99 | per sentence | CPU per sentence (caller thread) |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for t in threads {
            BLAS.setThreadCount(t)
            let cases = [("short (~\(shortLengths.max()!) tok)", Self.shortTexts), ("long (\(longLength) tok)", [Self.longText])]
            for (index, (name, base)) in cases.enumerated() where inputs == .all || (index == 0) == (inputs == .short) {
                for batch in batches {
                    let texts = (0..<batch).map { base[$0 % base.count] }
                    row(model: model, name: name, texts: texts, threads: t)
                }
            }
        }
        var tokenizeSamples = Samples()
        let corpus = Self.shortTexts + [Self.longText]
        while tokenizeSamples.total < (quick ? 0.05 : 0.5) {
            _ = tokenizeSamples.time { corpus.map(model.tokenize) }
        }
        print("\ntokenizer alone: \(formatDuration(tokenizeSamples.percentile(50) / Double(corpus.count))) per text (mean of 4 short + 1 long)")
    }

    private func row(model: TextEncoder, name: String, texts: [String], threads: Int) {
        var samples = Samples()
        var cpu: [Double] = []
        _ = model.embed(texts)  // warm-up: page in the weights, size the caches
        let budget = quick ? seconds / 10 : seconds
        while samples.total < budget || samples.seconds.count < 5 {
            let before = Self.threadCPUTime()
            _ = samples.time { model.embed(texts) }
            cpu.append(Self.threadCPUTime() - before)
        }
        cpu.sort()
        let p50 = samples.percentile(50)
        let rate = Double(texts.count * samples.seconds.count) / samples.total
        print("| \(name) | \(texts.count) | \(threads) | \(formatRate(rate)) | \(formatDuration(p50)) | "
            + "\(formatDuration(samples.percentile(99))) | \(formatDuration(p50 / Double(texts.count))) | "
            + "\(formatDuration(cpu[cpu.count / 2] / Double(texts.count))) |")
    }

    /// CPU time of the calling thread: with one thread all the work runs there, so this is the
    /// encoder's cost even when other processes share the cores (wall time then is not); with more,
    /// it is the caller's share (its part of every step, plus waiting for the other parts).
    static func threadCPUTime() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
}
