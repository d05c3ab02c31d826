import Foundation
import Logging
import PreferenceStore
import RewardModel
import RewardService
import Tensors
import Testing

/// `reward refit`'s engine against the real Postgres: after a head upgrade, every state fitted for
/// the old version is refitted from its history (paged through the store), a state without history
/// is reported and left for the cold start, and a second run finds nothing left to refit.
struct RefitTests {
    @Test(.enabled(if: AnnotationLoopTests.databaseURL != nil))
    func refitsEveryStaleStateThroughTheStore() async throws {
        var configuration = PostgresConfiguration(url: AnnotationLoopTests.databaseURL!)
        configuration.schema = "refit_\(UInt32.random(in: 0...UInt32.max))"
        let logger = Logger(label: "refit", factory: { _ in SwiftLogNoOpLogHandler() })
        let store = try await PostgresPreferenceStore.connect(configuration, logger: logger)
        try await store.ensureTenant("default")
        let directory = AnnotationLoopTests.headDirectory
        let upgraded = try Self.copy(directory, version: "refit-test-2")
        defer { try? FileManager.default.removeItem(atPath: upgraded) }

        // Five users label four pairs each and adapt under the current version.
        let old = RewardService(store: store)
        try old.loadHeads([.init(name: "synthetic", directory: directory)])
        let oldVersion = try #require(old.heads.first?.version)
        var rng = SeededGenerator(seed: 5)
        let users = (0..<5).map { "user-\($0)" }
        for user in users {
            let items = Oracle.gaussianItems(count: 8, dim: 32, generator: &rng)
            let pairs = (0..<4).map { i in
                ComparisonSubmission(id: "\(user)-\(i)", chosen: .features(Array(items.row(2 * i))), rejected: .features(Array(items.row(2 * i + 1))))
            }
            _ = try await old.appendComparisons(tenant: "default", user: user, head: "synthetic", pairs, adapt: true)
        }
        await old.shutdown()
        // A state whose history is gone: nothing to refit it on.
        _ = try await store.saveState(
            UserStateDraft(user: UserKey(userID: "no-history"), head: "synthetic", headVersion: oldVersion, theta: [0, 0, 0], comparisonCount: 0),
            expectedVersion: nil)

        let new = RewardService(store: store)
        try new.loadHeads([.init(name: "synthetic", directory: upgraded)])
        #expect(new.heads.first?.version == "refit-test-2")
        var paged: [UserKey] = []
        var after: UserKey?
        repeat {
            let page = try await store.staleStates(head: "synthetic", currentVersion: "refit-test-2", after: after, limit: 2)
            paged += page
            after = page.count == 2 ? page.last : nil
        } while after != nil
        #expect(paged.map(\.userID) == ["no-history"] + users)

        var seen = 0
        let report = try await new.refitStaleStates(head: "synthetic", pageSize: 2, progress: { _ in seen += 1 })
        #expect(report.refitted == 5 && report.withoutHistory == 1 && report.failed == 0, "\(report)")
        #expect(seen == 6)
        for user in users {
            let state = try #require(try await store.loadState(for: UserKey(userID: user), head: "synthetic"))
            #expect(state.headVersion == "refit-test-2" && state.version == 2 && state.comparisonCount == 4)
        }
        let again = try await new.refitStaleStates(head: "synthetic")
        #expect(again.refitted == 0 && again.withoutHistory == 1 && again.failed == 0, "\(again)")
        await new.shutdown()
        await store.shutdown()
    }

    /// The head directory with another `version` in its config (a new release of the same head).
    static func copy(_ directory: String, version: String) throws -> String {
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("refit-head-\(UUID().uuidString)").path
        try FileManager.default.copyItem(atPath: directory, toPath: target)
        let configURL = URL(fileURLWithPath: target + "/config.json")
        var config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: configURL)) as? [String: Any])
        config["version"] = version
        try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys]).write(to: configURL)
        return target
    }
}
