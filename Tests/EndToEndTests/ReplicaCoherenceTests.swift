import Foundation
import RewardModel
import Testing
import TestSupport

/// Two `reward serve` processes on one PostgreSQL database, as replicas behind a load balancer: what one
/// replica writes, the other serves within a second (LISTEN/NOTIFY invalidates its cached user states).
struct ReplicaCoherenceTests {
    static let coherenceDeadline: Duration = .seconds(1)

    @Test(.enabled(if: AnnotationLoopTests.databaseURL != nil))
    func adaptAndDeleteThroughOneReplicaAreServedByTheOtherWithinOneSecond() async throws {
        try await withScratchDatabase("e2e_replicas") { url in
            let head = try RewardHead.load(directory: AnnotationLoopTests.headDirectory)
            let arguments = ["--head", "synthetic=\(AnnotationLoopTests.headDirectory)", "--db-pool-size", "2", "--loops", "1"]
            let a = try await ReplicaProcess.start(databaseURL: url, arguments: arguments)
            let b = try await ReplicaProcess.start(databaseURL: url, arguments: arguments)

            var rng = SeededGenerator(seed: 5)
            let pool = Oracle.gaussianItems(count: 12, dim: head.featureDim, generator: &rng)
            let truth = UserState(theta: head.seenUsers.sorted { $0.key < $1.key }.first!.value)
            func labelled(_ pairs: Range<Int>) throws -> [LabeledComparison] {
                try pairs.map { i in
                    let x = Array(pool.row(2 * i)), y = Array(pool.row(2 * i + 1))
                    let xWins = try head.compare(a: x, b: y, state: truth).probability > 0.5
                    return LabeledComparison(chosen: xWins ? x : y, rejected: xWins ? y : x)
                }
            }
            let scoreBody = #"{"user":"rita","items":[{"features":\#(Array(pool.row(0)))}]}"#

            // Adapt through A; B scores with that state (and caches it).
            let first = try await a.client.post("/v1/users/rita/comparisons", AnnotationLoopTests.appendBody(try labelled(0..<3), prefix: "r1"))
            #expect(first.status == 201, "\(first.text)")
            let v1 = try #require(Self.adaptVersion(first.text), "\(first.text)")
            let seenByB = try Self.scoredUser(try await b.client.post("/v1/score", scoreBody))
            #expect(seenByB.version == v1 && !seenByB.coldStart, "B serves the state A saved: \(seenByB)")

            // Adapt again through A: B must serve the new version within the deadline.
            let second = try await a.client.post("/v1/users/rita/comparisons", AnnotationLoopTests.appendBody(try labelled(3..<6), prefix: "r2"))
            let v2 = try #require(Self.adaptVersion(second.text), "\(second.text)")
            #expect(v2 > v1)
            let replicaB = b.client
            let adaptLag = try await Self.waitUntil("B serves version \(v2)") {
                try Self.scoredUser(try await replicaB.post("/v1/score", scoreBody)).version == v2
            }

            // Delete through A: B must fall back to a cold start and report the user unknown.
            #expect(try await a.client.delete("/v1/users/rita").status == 204)
            let deleteLag = try await Self.waitUntil("B serves rita cold after the delete") {
                let user = try Self.scoredUser(try await replicaB.post("/v1/score", scoreBody))
                return user.coldStart && user.version == 0
            }
            #expect(try await b.client.get("/v1/users/rita").status == 404)
            #expect(try await b.client.get("/v1/users/rita/comparisons").status == 404, "an erased user has no history")
            print("replica coherence: adapt visible on the other replica after \(adaptLag), delete after \(deleteLag)")
            await a.stop()
            await b.stop()
        }
    }

    /// Sends a probe every 10 ms without waiting for the previous one, and returns the send time (since the
    /// write was acknowledged) of the earliest probe that saw the new state. Probes overlap so that a slow
    /// reply on a loaded machine does not count as coherence lag: what is measured is when B's cache turned,
    /// i.e. from when a request sent to B gets the new state. Fails the test if no probe sent within
    /// `coherenceDeadline` did.
    static func waitUntil(_ what: String, _ condition: @escaping @Sendable () async throws -> Bool) async throws -> Duration {
        let clock = ContinuousClock()
        let start = clock.now
        let seen = Earliest()
        try await withThrowingTaskGroup(of: Void.self) { group in
            while seen.value == nil && clock.now - start <= coherenceDeadline {
                let sentAt = clock.now - start
                group.addTask { if try await condition() { seen.offer(sentAt) } }
                try await Task.sleep(for: .milliseconds(10))
            }
            try await group.waitForAll()
        }
        guard let lag = seen.value else {
            Issue.record("no request sent within \(coherenceDeadline) saw it: \(what)")
            return clock.now - start
        }
        return lag
    }

    /// The smallest send time offered by concurrent probes.
    final class Earliest: @unchecked Sendable {  // `earliest` behind `lock`
        private let lock = NSLock()
        private var earliest: Duration?
        var value: Duration? { lock.withLock { earliest } }
        func offer(_ d: Duration) { lock.withLock { if earliest.map({ d < $0 }) ?? true { earliest = d } } }
    }

    struct ScoredUser: CustomStringConvertible {
        var version: Int
        var coldStart: Bool
        var description: String { "version \(version), cold_start \(coldStart)" }
    }

    static func scoredUser(_ reply: LiveClient.Reply) throws -> ScoredUser {
        let object = try JSONSerialization.jsonObject(with: Data(reply.text.utf8)) as? [String: Any]
        guard reply.status == 200, let user = object?["user"] as? [String: Any],
              let version = (user["version"] as? NSNumber)?.intValue, let cold = user["cold_start"] as? Bool
        else { throw ServeProcess.Failure(description: "unexpected score reply \(reply.status): \(reply.text)") }
        return ScoredUser(version: version, coldStart: cold)
    }

    static func adaptVersion(_ text: String) -> Int? {
        let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        return ((object?["adapt"] as? [String: Any])?["version"] as? NSNumber)?.intValue
    }
}
