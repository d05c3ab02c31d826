import Foundation
import Logging

/// `reward bench store`: append throughput (single and batched) against a server-side COPY of the same rows
/// into the same schema, measured in the same run, plus history-page latency. Lives in this module because
/// the COPY baseline needs libpq. Writes into its own schema, which it drops first.
public struct StoreBenchmark: Sendable {
    public struct Options: Sendable {
        public var dimensions: [Int] = [384, 1024]
        public var rows = 20_000
        public var batchSize = 500
        public var singleAppends = 500
        public var historyPages = 200
        public var pageSize = 100
        public var schema = "reward_bench"
        public init() {}
    }

    public struct Row: Sendable {
        public var name: String
        public var rows: Int
        public var seconds: Double
        public var perSecond: Double { Double(rows) / seconds }
    }

    public struct Report: Sendable {
        public var rows: [Row] = []
        public var notes: [String] = []
        public var historyLatencies: [(dimension: Int, p50: Double, p99: Double)] = []
    }

    let configuration: PostgresConfiguration
    let options: Options

    public init(configuration: PostgresConfiguration, options: Options) {
        self.configuration = configuration
        self.options = options
    }

    public func run(progress: @escaping @Sendable (String) -> Void = { _ in }) async throws -> Report {
        var configuration = configuration
        configuration.schema = options.schema
        configuration.statementTimeout = .seconds(120)
        configuration.poolSize = 2
        try await resetSchema(configuration)
        let store = try await PostgresPreferenceStore.connect(configuration, logger: Logger(label: "reward.bench"))
        defer { Task { await store.shutdown() } }
        var report = Report()
        for dimension in options.dimensions {
            let batches = (0..<(options.rows / options.batchSize)).map { b in
                (0..<options.batchSize).map { i in Self.comparison(index: b * options.batchSize + i, dimension: dimension) }
            }
            let total = batches.count * options.batchSize
            // Warm up both paths (connections, prepared plans, catalog caches) outside the measurement.
            let warmup = (0..<options.batchSize).map { i -> NewComparison in
                var c = Self.comparison(index: i, dimension: dimension)
                c.clientID = "warmup-\(i)"
                return c
            }
            _ = try await store.appendComparisons(warmup, for: UserKey(userID: "warmup-\(dimension)"))
            try await store.copyBaseline(warmup, user: UserKey(userID: "warmup-copy-\(dimension)"))
            // Append and COPY alternate batch by batch, so both see the same checkpoint, cache and load
            // conditions (run one after the other, the second pays for the first one's dirty buffers).
            progress("d=\(dimension): batched appends and COPY FROM STDIN, interleaved")
            var append = 0.0
            var copy = 0.0
            for batch in batches {
                append += try await timed { _ = try await store.appendComparisons(batch, for: UserKey(userID: "append-\(dimension)")) }
                copy += try await timed { try await store.copyBaseline(batch, user: UserKey(userID: "copy-\(dimension)")) }
            }
            report.rows.append(Row(name: "append, batches of \(options.batchSize), d=\(dimension)", rows: total, seconds: append))
            report.rows.append(Row(name: "COPY FROM STDIN binary, \(options.batchSize)/txn, d=\(dimension)", rows: total, seconds: copy))

            progress("d=\(dimension): server-side COPY FROM file")
            do {
                let perBatch = try await store.serverFileCopy(batches, user: UserKey(userID: "file-batch-\(dimension)"), oneTransaction: false)
                report.rows.append(Row(name: "server-side COPY FROM file, \(options.batchSize)/txn, d=\(dimension)", rows: total, seconds: perBatch))
                let single = try await store.serverFileCopy(batches, user: UserKey(userID: "file-\(dimension)"), oneTransaction: true)
                report.rows.append(Row(name: "server-side COPY FROM file, one txn, d=\(dimension)", rows: total, seconds: single))
            } catch {
                report.notes.append("server-side COPY FROM file skipped at d=\(dimension): \(error) (needs superuser and a file the server can read)")
            }

            if dimension == options.dimensions.first {
                progress("d=\(dimension): single appends")
                let singles = (0..<options.singleAppends).map { Self.comparison(index: $0, dimension: dimension) }
                let single = try await timed {
                    for comparison in singles { _ = try await store.appendComparisons([comparison], for: UserKey(userID: "single-\(dimension)")) }
                }
                report.rows.append(Row(name: "append, single comparisons, d=\(dimension)", rows: singles.count, seconds: single))

                progress("d=\(dimension): concurrent batched appends (2 clients)")
                let half = batches.count / 2
                let concurrent = try await timed {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for client in 0..<2 {
                            group.addTask {
                                for batch in batches[(client * half)..<((client + 1) * half)] {
                                    let fresh = batch.map { var c = $0; c.clientID = "c\(client)-" + c.clientID!; return c }
                                    _ = try await store.appendComparisons(fresh, for: UserKey(userID: "concurrent-\(dimension)-\(client)"))
                                }
                            }
                        }
                        try await group.waitForAll()
                    }
                }
                report.rows.append(Row(name: "append, batches of \(options.batchSize), 2 clients, d=\(dimension)", rows: half * 2 * options.batchSize, seconds: concurrent))
            }

            progress("d=\(dimension): history pages")
            var latencies: [Double] = []
            var cursor: Cursor?
            for _ in 0..<options.historyPages {
                let user = UserKey(userID: "append-\(dimension)")
                let start = ContinuousClock.now
                let page = try await store.history(HistoryQuery(user: user, after: cursor, limit: options.pageSize))
                latencies.append(Self.seconds(ContinuousClock.now - start))
                cursor = page.nextCursor
            }
            latencies.sort()
            report.historyLatencies.append((dimension, latencies[latencies.count / 2], latencies[min(latencies.count - 1, latencies.count * 99 / 100)]))
        }
        return report
    }

    private func timed(_ body: () async throws -> Void) async throws -> Double {
        let start = ContinuousClock.now
        try await body()
        return Self.seconds(ContinuousClock.now - start)
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// Prompt, chosen and rejected features, deterministic pseudo-random values (incompressible, like real ones).
    static func comparison(index: Int, dimension: Int) -> NewComparison {
        var state = UInt64(index &+ 1) &* 0x9E37_79B9_7F4A_7C15
        func vector() -> [Float] {
            (0..<dimension).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Float(Int32(truncatingIfNeeded: state >> 32)) / Float(Int32.max)
            }
        }
        return NewComparison(clientID: "b-\(index)", featureSpace: "bench/\(dimension)", prompt: vector(), chosen: vector(),
                             rejected: vector(), weight: 1, source: "bench")
    }

    private func resetSchema(_ configuration: PostgresConfiguration) async throws {
        let settings = configuration.settings(statementTimeout: nil, purpose: "bench-admin")
        let schema = options.schema
        try await BlockingThread.run(name: "bench-reset") {
            let connection = try PGConnection.connect(settings, deadline: .after(.seconds(10)))
            defer { connection.close() }
            try connection.execute(script: "DROP SCHEMA IF EXISTS \(schema) CASCADE", deadline: .after(.seconds(120)))
        }
    }
}
