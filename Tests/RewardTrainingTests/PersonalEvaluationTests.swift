import Foundation
import RewardModel
import Testing
@testable import RewardTraining

/// The nested validation split, the personalised-vs-population evaluation and the prior choice.
@Suite struct PersonalEvaluationTests {
    /// User 0: 10 prompts × 3 training pairs plus test pairs; user 1: training pairs only.
    static func topicDataset() -> PreferenceDataset {
        var data = PreferenceDataset(featureDim: 2, promptDim: 1, users: [.init(id: "a", seen: true), .init(id: "b", seen: true)])
        let x = data.appendItem([1, 0]), y = data.appendItem([0, 1])
        for p in 0..<10 { _ = data.appendPrompt([Float(p)]) }
        for p in 0..<10 {
            for _ in 0..<3 { data.pairs.append(.init(user: 0, split: .train, chosen: x, rejected: y, prompt: p)) }
            data.pairs.append(.init(user: 1, split: .train, chosen: y, rejected: x, prompt: p))
        }
        for p in 0..<4 { data.pairs.append(.init(user: 0, split: .test, chosen: x, rejected: y, prompt: p)) }
        return data
    }

    @Test func nestedSplitHoldsOutWholePromptsOfEvaluatedUsersOnly() {
        let data = Self.topicDataset()
        let split = data.nestedSplit(fraction: 0.3, seed: 2)
        #expect(split.pairs.count == 40, "the 4 original test pairs are dropped")
        #expect(split.pairs.filter { $0.user == 1 }.allSatisfy { $0.split == .train }, "a user without test pairs keeps all of its training pairs")
        let userA = split.pairs.filter { $0.user == 0 }
        let heldPrompts = Set(userA.filter { $0.split == .test }.compactMap(\.prompt))
        let trainPrompts = Set(userA.filter { $0.split == .train }.compactMap(\.prompt))
        #expect(heldPrompts.count == 3 && heldPrompts.isDisjoint(with: trainPrompts))
        #expect(userA.filter { $0.split == .test }.count == 9, "every pair of a held-out prompt")
        #expect(data.nestedSplit(fraction: 0.3, seed: 2).pairs == split.pairs)
        #expect((1...5).contains { data.nestedSplit(fraction: 0.3, seed: UInt64(2 + $0)).pairs != split.pairs })
    }

    @Test func personalisingOnSyntheticUsersBeatsThePopulationAndAHugePriorEqualsIt() throws {
        var o = SyntheticOptions()
        o.users = 12; o.unseenUsers = 0; o.dim = 8; o.prototypes = 3; o.trainPairs = 64; o.testPairs = 60; o.seed = 3
        let data = try SyntheticData.generate(o)
        let head = try #require(try GroundTruthHead.make(data))
        let evaluation = try PersonalEvaluation(head: head, dataset: data, seed: 1)
        #expect(evaluation.userCount == 12)
        let rows = try evaluation.outcomes(prior: 1, shots: [8, 32])
        #expect(Set(rows.keys) == ["8", "32", "all"])
        let all = try #require(rows["all"])
        let gain = all.reduce(0) { $0 + $1.personalised - $1.population } / Double(all.reduce(0) { $0 + $1.pairs })
        #expect(gain > 0.05, "users with different true θ: their own θ predicts their test pairs better than θ̄ (gain \(gain))")
        let frozen = try evaluation.outcomes(prior: 1e9, shots: [8])
        #expect(frozen.values.joined().allSatisfy { $0.personalised == $0.population })
        let scores = try [1.0, 1e9].map { try evaluation.score(prior: $0, shots: [8, 32]) }
        #expect(scores[0].logLoss < scores[1].logLoss)
        #expect(PersonalEvaluation.choosePrior(scores).prior == 1)
    }

    @Test func choosePriorTakesTheLowestLogLossAndBreaksTiesTowardsTheLargerPrior() {
        typealias S = PersonalEvaluation.PriorScore
        let scores = [S(prior: 1, logLoss: 0.60, accuracyGain: 0), S(prior: 10, logLoss: 0.5, accuracyGain: 0),
                      S(prior: 100, logLoss: 0.50005, accuracyGain: 0), S(prior: 1000, logLoss: 0.52, accuracyGain: 0)]
        #expect(PersonalEvaluation.choosePrior(scores).prior == 100)
        #expect(PersonalEvaluation.choosePrior(Array(scores.prefix(2))).prior == 10)
    }
}
