import Foundation
import PreferenceStore
import RewardModel
import Tensors
import Testing
@testable import RewardService

/// The domain against the in-memory store (unit level; the live API tests use Postgres).
struct RewardServiceTests {
    static let d = 8
    static let k = 3

    static func palB(version: String = "1", seed: UInt64 = 7) throws -> RewardHead {
        try RewardHead.random(
            config: HeadConfig(kind: .palB, featureDim: d, stateDim: k, hiddenDim: 16, outputDim: 8, activation: .gelu,
                               backbone: .init(name: "test", featureDim: d), version: version),
            seed: seed)
    }

    /// pal-b with prompt projectors: prompts 5 wide, items `d`; it cannot score without a prompt.
    static func promptedPalB() throws -> RewardHead {
        try RewardHead.random(
            config: HeadConfig(kind: .palB, featureDim: d, promptDim: 5, stateDim: k, hiddenDim: 16, outputDim: 8,
                               activation: .gelu, backbone: .init(name: "test", featureDim: d), version: "1"),
            seed: 3)
    }

    static func service(head: RewardHead? = nil, inlineWorkBudget: Int? = nil) throws -> (RewardService, InMemoryPreferenceStore) {
        let store = InMemoryPreferenceStore()
        var configuration = RewardService.Configuration()
        if let inlineWorkBudget { configuration.inlineWorkBudget = inlineWorkBudget }
        let service = RewardService(store: store, configuration: configuration)
        try service.installHeads([(name: "h", head: head ?? palB())])
        return (service, store)
    }

    static func vector(_ seed: Int) -> [Float] {
        var g = SeededGenerator(seed: UInt64(seed) &+ 1000)
        return (0..<d).map { _ in Float(g.nextGaussian()) }
    }

    /// On the model worker (no inline budget): concurrent requests are coalesced into shared batches.
    @Test func scoresMatchTheHeadAndConcurrentRequestsAgreeWithSingleOnes() async throws {
        let (service, _) = try Self.service(inlineWorkBudget: 0)
        defer { Task { await service.shutdown() } }
        let head = try #require(service.catalog.head(nil).head)
        let items = (0..<5).map { Self.vector($0) }
        let expected = try head.score(items: Matrix(rows: 5, cols: Self.d, values: items.flatMap { $0 }))
        let single = try await service.score(ScoreQuery(items: items.map { .features($0) }))
        for (a, b) in zip(single.scores, expected) { #expect(abs(a - b) < 1e-9) }
        // Many concurrent requests (coalesced into shared batches) give the same numbers.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<64 {
                group.addTask {
                    let r = try await service.score(ScoreQuery(items: items.map { .features($0) }))
                    for (a, b) in zip(r.scores, expected) { #expect(abs(a - b) < 1e-6) }
                }
            }
            try await group.waitForAll()
        }
    }

    /// A pal-b head with prompt projectors (prompts 5 wide, items 8): a missing prompt is refused where
    /// it belongs, and labelled comparisons keep prompts of the head's own width through the store.
    @Test func promptHeadsNeedPromptsAndStoreThemAtTheirWidth() async throws {
        let head = try Self.promptedPalB()
        #expect(head.requiresPrompt)
        let (service, store) = try Self.service(head: head)
        defer { Task { await service.shutdown() } }
        await #expect {
            _ = try await service.score(ScoreQuery(items: [.features(Self.vector(0))]))
        } throws: { ($0 as? ScoringError)?.pointer == "/prompt" }
        let prompt = Item.features([0.5, -0.5, 0.2, 0.1, 0.3])
        await #expect {
            _ = try await service.appendComparisons(
                tenant: "default", user: "u", head: nil,
                [ComparisonSubmission(prompt: prompt, chosen: .features(Self.vector(1)), rejected: .features(Self.vector(2))),
                 ComparisonSubmission(chosen: .features(Self.vector(3)), rejected: .features(Self.vector(4)))], adapt: false)
        } throws: { ($0 as? ScoringError)?.pointer == "/comparisons/1/prompt" }
        let outcome = try await service.appendComparisons(
            tenant: "default", user: "u", head: nil,
            [ComparisonSubmission(prompt: prompt, chosen: .features(Self.vector(1)), rejected: .features(Self.vector(2)))],
            adapt: true)
        #expect(outcome.stored == 1)
        #expect(outcome.adapt?.n == 1)
        let stored = try await store.history(HistoryQuery(user: UserKey(tenant: "default", userID: "u"))).comparisons
        #expect(stored.map { $0.prompt?.count } == [5])
    }

    /// Heads of one feature space share a user's history: a head without a prompt input fits labels
    /// stored with prompts (ignoring them); a head that needs prompts refuses labels without one (409,
    /// never a silently smaller n), and scores such a user from the cold start.
    @Test func headsOfOneFeatureSpaceShareHistoryAsTheirPromptsAllow() async throws {
        let prompted = try Self.promptedPalB()
        let service = RewardService(store: InMemoryPreferenceStore(), configuration: RewardService.Configuration())
        try service.installHeads([(name: "plain", head: try Self.palB()), (name: "prompted", head: prompted)])
        defer { Task { await service.shutdown() } }
        let prompt = Item.features([0.5, -0.5, 0.2, 0.1, 0.3])
        let withPrompts = (0..<2).map {
            ComparisonSubmission(prompt: prompt, chosen: .features(Self.vector($0)), rejected: .features(Self.vector($0 + 10)))
        }
        _ = try await service.appendComparisons(tenant: "default", user: "u", head: "prompted", withPrompts, adapt: true)
        #expect(try await service.adapt(tenant: "default", user: "u", head: "plain", settings: AdaptSettings()).n == 2)

        let plainLabel = ComparisonSubmission(chosen: .features(Self.vector(5)), rejected: .features(Self.vector(6)))
        _ = try await service.appendComparisons(tenant: "default", user: "v", head: "plain", [plainLabel], adapt: false)
        await #expect {
            _ = try await service.adapt(tenant: "default", user: "v", head: "prompted", settings: AdaptSettings())
        } throws: { ($0 as? ScoringError)?.code == .historyMismatch }
        let scored = try await service.score(ScoreQuery(
            head: "prompted", user: .stored(tenant: "default", id: "v"), prompt: prompt, items: [.features(Self.vector(7))]))
        #expect(scored.user.coldStart)
    }

    @Test func dimensionErrorsPointAtTheItem() async throws {
        let (service, _) = try Self.service()
        defer { Task { await service.shutdown() } }
        await #expect {
            _ = try await service.score(ScoreQuery(items: [.features(Self.vector(0)), .features([1, 2])]))
        } throws: { ($0 as? ScoringError)?.pointer == "/items/1/features" }
        await #expect {
            _ = try await service.score(ScoreQuery(items: [.text("hello")]))
        } throws: { ($0 as? ScoringError)?.code == .encoderMissing }
        await #expect {
            _ = try await service.score(ScoreQuery(prompt: .features(Self.vector(1)), items: [.features(Self.vector(0))]))
        } throws: { ($0 as? ScoringError)?.pointer == "/prompt" }
    }

    @Test func appendAdaptThenScoreUsesTheFittedState() async throws {
        let (service, _) = try Self.service()
        defer { Task { await service.shutdown() } }
        let cold = try await service.compare(CompareQuery(user: .stored(tenant: "default", id: "alice"),
                                                          pairs: [.init(a: .features(Self.vector(1)), b: .features(Self.vector(2)))]))
        #expect(cold.user.coldStart)
        // alice always prefers item 2 over item 1 … and a few others.
        let subs = (0..<8).map { i in
            ComparisonSubmission(id: "c\(i)", chosen: .features(Self.vector(2 + 10 * i)), rejected: .features(Self.vector(1 + 10 * i)))
        }
        let appended = try await service.appendComparisons(tenant: "default", user: "alice", head: nil, subs, adapt: true)
        #expect(appended.stored == 8)
        let fit = try #require(appended.adapt)
        #expect(fit.converged)
        #expect(fit.version == 1)
        // A retry stores nothing twice.
        let retry = try await service.appendComparisons(tenant: "default", user: "alice", head: nil, subs, adapt: false)
        #expect(retry.stored == 0)
        let warm = try await service.compare(CompareQuery(user: .stored(tenant: "default", id: "alice"),
                                                          pairs: [.init(a: .features(Self.vector(2)), b: .features(Self.vector(1)))]))
        #expect(!warm.user.coldStart)
        #expect(warm.user.version == 1)
        #expect(warm.results[0].pA > 0.5)
        // The stateless fit on the same data agrees with the stored one.
        let stateless = try await service.adaptStateless(head: nil, subs, initial: nil, settings: AdaptSettings())
        for (a, b) in zip(stateless.theta, fit.theta) { #expect(abs(a - b) < 1e-6) }
        // Deleting erases everything and the next request is a cold start again.
        try await service.deleteUser(tenant: "default", id: "alice")
        let after = try await service.compare(CompareQuery(user: .stored(tenant: "default", id: "alice"),
                                                           pairs: [.init(a: .features(Self.vector(2)), b: .features(Self.vector(1)))]))
        #expect(after.user.coldStart)
        await #expect { _ = try await service.user(tenant: "default", id: "alice", head: nil) } throws: {
            ($0 as? ScoringError)?.code == .userNotFound
        }
    }

    @Test func aStateFittedForAnotherHeadVersionIsRefitted() async throws {
        let store = InMemoryPreferenceStore()
        let v1 = RewardService(store: store)
        try v1.installHeads([(name: "h", head: try Self.palB(version: "1"))])
        let subs = (0..<6).map { i in ComparisonSubmission(chosen: .features(Self.vector(i)), rejected: .features(Self.vector(i + 50))) }
        _ = try await v1.appendComparisons(tenant: "default", user: "bob", head: nil, subs, adapt: true)
        await v1.shutdown()

        let v2 = RewardService(store: store)
        defer { Task { await v2.shutdown() } }
        try v2.installHeads([(name: "h", head: try Self.palB(version: "2", seed: 99))])
        let r = try await v2.score(ScoreQuery(user: .stored(tenant: "default", id: "bob"), items: [.features(Self.vector(0))]))
        #expect(!r.user.coldStart)
        #expect(r.user.version == 2)  // refitted and saved on first use
        let saved = try #require(try await store.loadState(for: UserKey(userID: "bob"), head: "h"))
        #expect(saved.headVersion == "2")
    }

    @Test func rankAndNextComparison() async throws {
        let (service, _) = try Self.service()
        defer { Task { await service.shutdown() } }
        let items = (0..<6).map { Item.features(Self.vector($0)) }
        let rank = try await service.rank(ScoreQuery(items: items))
        #expect(Set(rank.order) == Set(0..<6))
        #expect(rank.probability.map { $0 > 0 && $0 <= 1 } == true)
        let next = try await service.nextComparison(NextComparisonQuery(user: .population, candidates: items))
        #expect(next.a != next.b)
        #expect(next.expectedGain > 0)
    }
}
