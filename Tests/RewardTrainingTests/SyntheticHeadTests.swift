import Foundation
import RewardModel
import Testing
@testable import RewardTraining

/// The committed demo head (Deploy/heads/synthetic, `make synthetic-head`) loads and personalises.
@Suite struct SyntheticHeadTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Deploy/heads/synthetic").path

    @Test func loadsWithSeenUsersAndPopulationState() throws {
        let head = try RewardHead.load(directory: Self.directory)
        #expect(head.kind == .palB && head.featureDim == 32 && head.stateDim == 3 && head.promptDim == nil)
        #expect(head.config.version == "synthetic-ideal-point-d32-k3-v1")
        #expect(head.seenUsers.count == 100 && head.seenUsers["u0000"] != nil)
        #expect(head.populationState.contains { $0 != 0 })
        let size = try FileManager.default.attributesOfItem(atPath: Self.directory + "/model.safetensors")[.size] as? Int ?? .max
        #expect(size < 5_000_000)
    }

    /// New users drawn from the same seed-1 prototypes: few-shot adapt on the committed head comes
    /// close to adapt on the true head.
    @Test func adaptsToNewUsersOfItsWorld() throws {
        let head = try RewardHead.load(directory: Self.directory)
        var o = SyntheticOptions()
        o.users = 0; o.unseenUsers = 20; o.unseenTrainPairs = 16; o.testPairs = 100; o.seed = 1
        let data = try SyntheticData.generate(o)
        var e = EvaluationOptions()
        e.shots = [16]
        let point = try #require(try Evaluator.evaluate(head: head, data: data, options: e).unseen.first)
        #expect(point.accuracy > 0.7)
        #expect(point.accuracy > (point.ceiling ?? 1) - 0.03, "head \(point.accuracy) vs ceiling \(point.ceiling ?? .nan)")
        #expect(point.accuracy > (point.palSchedule ?? 1))
    }
}
