import Foundation
import PreferenceStore
import RewardModel
import Tensors
import Testing
@testable import RewardService

/// The head's own adapt prior is the service default; history of one feature space never feeds a
/// head of another.
struct AdaptPriorAndFeatureSpaceTests {
    static func head(backbone: String, adaptPrior: Double? = nil, seed: UInt64 = 7) throws -> RewardHead {
        var config = HeadConfig(kind: .palB, featureDim: RewardServiceTests.d, stateDim: RewardServiceTests.k, hiddenDim: 16,
                                outputDim: 8, activation: .gelu, backbone: .init(name: backbone, featureDim: RewardServiceTests.d))
        config.adaptPrior = adaptPrior
        return try RewardHead.random(config: config, seed: seed)
    }

    static let submissions = (0..<10).map { i in
        ComparisonSubmission(chosen: .features(RewardServiceTests.vector(i)), rejected: .features(RewardServiceTests.vector(i + 40)))
    }

    @Test func theHeadsAdaptPriorIsUsedWhenTheRequestNamesNone() async throws {
        let service = RewardService(store: InMemoryPreferenceStore())
        defer { Task { await service.shutdown() } }
        try service.installHeads([(name: "h", head: try Self.head(backbone: "enc", adaptPrior: 40))])
        #expect(try service.catalog.head(nil).info.adaptPrior == 40, "clients can see which λ applies")
        let byDefault = try await service.adaptStateless(head: nil, Self.submissions, initial: nil, settings: AdaptSettings())
        let explicit40 = try await service.adaptStateless(head: nil, Self.submissions, initial: nil, settings: AdaptSettings(prior: 40))
        let explicit1 = try await service.adaptStateless(head: nil, Self.submissions, initial: nil, settings: AdaptSettings(prior: 1))
        #expect(byDefault.theta == explicit40.theta)
        #expect(zip(byDefault.theta, explicit1.theta).contains { abs($0 - $1) > 1e-6 }, "λ = 40 and λ = 1 fit different states")
        // The stored path (append + adapt, and the refit of a user without a state) uses it too.
        let stored = try await service.appendComparisons(tenant: "default", user: "u", head: nil, Self.submissions, adapt: true)
        for (a, b) in zip(try #require(stored.adapt).theta, explicit40.theta) { #expect(abs(a - b) < 1e-9) }
    }

    @Test func aHeadWithoutAdaptPriorUsesOne() async throws {
        let service = RewardService(store: InMemoryPreferenceStore())
        defer { Task { await service.shutdown() } }
        try service.installHeads([(name: "h", head: try Self.head(backbone: "enc"))])
        let byDefault = try await service.adaptStateless(head: nil, Self.submissions, initial: nil, settings: AdaptSettings())
        let explicit1 = try await service.adaptStateless(head: nil, Self.submissions, initial: nil, settings: AdaptSettings(prior: 1))
        #expect(byDefault.theta == explicit1.theta)
    }

    @Test func historyInAnotherFeatureSpaceIsNeverUsed() async throws {
        let store = InMemoryPreferenceStore()
        let service = RewardService(store: store)
        defer { Task { await service.shutdown() } }
        // Same dimension, different backbones: the vectors would fit, but they mean different things.
        try service.installHeads([(name: "old", head: try Self.head(backbone: "encoder-a")),
                                  (name: "new", head: try Self.head(backbone: "encoder-b", seed: 8))])
        _ = try await service.appendComparisons(tenant: "default", user: "u", head: "old", Self.submissions, adapt: true)
        await #expect { _ = try await service.adapt(tenant: "default", user: "u", head: "new", settings: AdaptSettings()) } throws: {
            ($0 as? ScoringError)?.code == .userNotFound
        }
        let cold = try await service.score(ScoreQuery(head: "new", user: .stored(tenant: "default", id: "u"),
                                                      items: [.features(RewardServiceTests.vector(1))]))
        #expect(cold.user.coldStart, "the new head scores the user from θ̄, not from the other space's history")
        // One comparison in the new space: the fit sees exactly that one.
        _ = try await service.appendComparisons(tenant: "default", user: "u", head: "new", Array(Self.submissions.prefix(1)), adapt: false)
        let fit = try await service.adapt(tenant: "default", user: "u", head: "new", settings: AdaptSettings())
        #expect(fit.n == 1)
        #expect(try await service.adapt(tenant: "default", user: "u", head: "old", settings: AdaptSettings()).n == 10)
    }
}
