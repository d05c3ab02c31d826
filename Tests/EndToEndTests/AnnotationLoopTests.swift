import Foundation
import HTTPServer
import Logging
import PreferenceStore
import RewardAPI
import RewardModel
import RewardService
import Tensors
import Testing

/// The product path end to end: real sockets, the real Postgres from `make test`, the committed
/// synthetic head. Skipped only on a laptop without a database; under CI=true a missing database fails.
struct AnnotationLoopTests {
    static var databaseURL: String? { ProcessInfo.processInfo.environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 } }
    static var headDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Deploy/heads/synthetic").path
    }

    @Test func databaseConfiguredUnderCI() {
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            #expect(Self.databaseURL != nil, "CI=true needs DATABASE_URL (make test starts a throwaway cluster)")
        }
    }

    /// Two users with opposite tastes label 8 pairs each; compare then predicts each one's held-out
    /// pairs; a retry stores nothing twice; a restarted service keeps states; DELETE erases the user.
    @Test(.enabled(if: databaseURL != nil))
    func twoOppositeUsersAreLearnedFromEightLabels() async throws {
        let schema = "e2e_\(UInt32.random(in: 0...UInt32.max))"
        let head = try RewardHead.load(directory: Self.headDirectory)
        // Two of the head's seen users with the most different tastes (largest distance in θ).
        let seen = head.seenUsers.sorted { $0.key < $1.key }
        var best = (0, 1, -1.0)
        for i in seen.indices { for j in seen.indices where j > i {
            let d = zip(seen[i].value, seen[j].value).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
            if d > best.2 { best = (i, j, d) }
        } }
        var rng = SeededGenerator(seed: 11)
        let users = [("ann", UserState(theta: seen[best.0].value)), ("ben", UserState(theta: seen[best.1].value))]
        // Each round the service proposes the most informative pair among 16 candidates.
        let candidatePools = (0..<16).map { _ in Oracle.gaussianItems(count: 16, dim: head.featureDim, generator: &rng) }
        let items = Oracle.gaussianItems(count: 120, dim: head.featureDim, generator: &rng)

        try await withLiveAPI(schema: schema) { client in
            for (name, truth) in users {
                // The annotation loop: ask which pair to label next, label it, store it and adapt.
                for round in 0..<8 {
                    let pool = candidatePools[round + (name == "ann" ? 0 : 8)]
                    let rows = (0..<pool.rows).map { #"{"features":\#(Array(pool.row($0)))}"# }
                    let next = try await client.post("/v1/users/\(name)/next-comparison", #"{"candidates":[\#(rows.joined(separator: ","))]}"#)
                    #expect(next.status == 200, "\(next.text)")
                    let ia = Int(try #require(Self.number("a", in: next.text))), ib = Int(try #require(Self.number("b", in: next.text)))
                    #expect(ia != ib)
                    let a = Array(pool.row(ia)), b = Array(pool.row(ib))
                    let aWins = try head.compare(a: a, b: b, state: truth).probability > 0.5
                    let label = LabeledComparison(chosen: aWins ? a : b, rejected: aWins ? b : a)
                    let body = Self.appendBody([label], prefix: "\(name)-\(round)")
                    let stored = try await client.post("/v1/users/\(name)/comparisons", body)
                    #expect(stored.status == 201, "\(stored.text)")
                    let retry = try await client.post("/v1/users/\(name)/comparisons", body)
                    #expect(retry.status == 200)
                    #expect(retry.text.contains(#""stored":0"#))
                }
                let history = try await client.get("/v1/users/\(name)/comparisons?limit=100")
                #expect(history.text.components(separatedBy: #""seq":"#).count - 1 == 8)
            }
        }
        // A new service process on the same database: states survive, predictions follow each user.
        try await withLiveAPI(schema: schema) { client in
            for (name, truth) in users {
                var correct = 0, total = 0
                for i in stride(from: 0, to: 120, by: 2) {
                    let a = Array(items.row(i)), b = Array(items.row(i + 1))
                    let trueP = try head.compare(a: a, b: b, state: truth).probability
                    guard abs(trueP - 0.5) > 0.05 else { continue }  // the oracle's call must be clear
                    let r = try await client.post("/v1/compare", #"{"user":"\#(name)","a":{"features":\#(a)},"b":{"features":\#(b)}}"#)
                    let p = try #require(Self.number("p_a", in: r.text), "\(r.text)")
                    #expect(r.text.contains(#""cold_start":false"#))
                    total += 1
                    if (p > 0.5) == (trueP > 0.5) { correct += 1 }
                }
                let accuracy = Double(correct) / Double(total)
                #expect(accuracy >= 0.9, "user \(name): \(correct)/\(total) held-out pairs predicted")
            }
            #expect(try await client.delete("/v1/users/ann").status == 204)
            #expect(try await client.get("/v1/users/ann").status == 404)
            #expect(try await client.get("/v1/users/ann/comparisons").status == 404, "an erased user has no history")
            #expect(try await client.get("/v1/users/ben").status == 200)
        }
    }

    static func appendBody(_ comparisons: [LabeledComparison], prefix: String) -> String {
        let rows = comparisons.enumerated().map { i, c in
            #"{"id":"\#(prefix)-\#(i)","chosen":{"features":\#(c.chosen)},"rejected":{"features":\#(c.rejected)}}"#
        }
        return #"{"adapt":true,"comparisons":[\#(rows.joined(separator: ","))]}"#
    }

    static func number(_ key: String, in text: String) -> Double? {
        guard let r = text.range(of: "\"\(key)\":") else { return nil }
        let rest = text[r.upperBound...].prefix { "0123456789.eE+-".contains($0) }
        return Double(rest)
    }

    func withLiveAPI(schema: String, _ body: @Sendable (LiveClient) async throws -> Void) async throws {
        var storeConfiguration = PostgresConfiguration(url: Self.databaseURL!)
        storeConfiguration.schema = schema
        let logger = Logger(label: "e2e", factory: { _ in SwiftLogNoOpLogHandler() })
        let store = try await PostgresPreferenceStore.connect(storeConfiguration, logger: logger)
        let service = RewardService(store: store)
        try service.loadHeads([.init(name: "synthetic", directory: Self.headDirectory)])
        let app = RewardApplication(service: service, logger: logger)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = HTTPServer(configuration: .init(host: "127.0.0.1", port: 0, loopCount: 2), responder: app, logger: logger,
                                onServerRunning: { continuation.yield($0) })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            var it = ports.makeAsyncIterator()
            let port = try #require(await it.next())
            do {
                try await body(LiveClient(port: port))
            } catch {
                server.triggerGracefulShutdown()
                try? await group.waitForAll()
                await service.shutdown()
                await store.shutdown()
                throw error
            }
            server.triggerGracefulShutdown()
            try await group.waitForAll()
        }
        await service.shutdown()
        await store.shutdown()
    }
}
