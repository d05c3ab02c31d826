import Foundation
import Testing

@testable import PreferenceStore

/// Label sources and prequential predictions (migration 5) behave the same on both stores.
@Suite struct LabelLedgerContractTests {
    @Test(arguments: StoreKind.available)
    func sourcesAreReplacedAndForgotten(kind: StoreKind) async throws {
        let (store, user) = try await kind.makeFixture()
        #expect(try await store.labelSource("ls:7:1", tenant: user.tenant) == nil)
        try await store.saveLabelSource("ls:7:1", tenant: user.tenant, LabelSource(userID: user.userID, clientIDs: ["b", "a"]))
        #expect(try await store.labelSource("ls:7:1", tenant: user.tenant) == LabelSource(userID: user.userID, clientIDs: ["a", "b"]))
        try await store.saveLabelSource("ls:7:1", tenant: user.tenant, LabelSource(userID: user.userID, clientIDs: []))
        #expect(try await store.labelSource("ls:7:1", tenant: user.tenant) == LabelSource(userID: user.userID, clientIDs: []))
        try await store.deleteLabelSource("ls:7:1", tenant: user.tenant)
        try await store.deleteLabelSource("ls:7:1", tenant: user.tenant)  // idempotent
        #expect(try await store.labelSource("ls:7:1", tenant: user.tenant) == nil)
        // Deleting the user forgets their labels.
        try await store.saveLabelSource("ls:7:2", tenant: user.tenant, LabelSource(userID: user.userID, clientIDs: ["c"]))
        _ = try await store.deleteUser(user)
        #expect(try await store.labelSource("ls:7:2", tenant: user.tenant) == nil)
    }

    @Test(arguments: StoreKind.available)
    func statsCountLivePredictionsOnly(kind: StoreKind) async throws {
        let (store, user) = try await kind.makeFixture()
        _ = try await store.appendComparisons((0..<4).map { Fixtures.comparison($0, id: "c\($0)") }, for: user)
        let ps = [0.9, 0.2, 0.7, 0.6].enumerated().map {
            LabelPrediction(clientID: "c\($0.offset)", head: "demo", pChosen: $0.element, stateVersion: Int64($0.offset))
        }
        try await store.recordPredictions(ps, for: user, replacing: false)
        // Without `replacing`, a retry keeps the first prediction.
        try await store.recordPredictions([LabelPrediction(clientID: "c1", head: "demo", pChosen: 0.99, stateVersion: 9)], for: user, replacing: false)
        var s = try await store.predictionStats(for: user, head: "demo", window: 2)
        #expect(s.total == 4 && s.correct == 3 && s.personalized == 3)
        #expect(s.recentTotal == 2 && s.recentCorrect == 2)  // c3, c2
        let expectedLoss = [0.9, 0.2, 0.7, 0.6].map { -log($0) }.reduce(0, +) / 4
        #expect(abs((s.meanLogLoss ?? 0) - expectedLoss) < 1e-9)
        // An edited label replaces its prediction and becomes the most recent.
        try await store.recordPredictions([LabelPrediction(clientID: "c1", head: "demo", pChosen: 0.8, stateVersion: 5)], for: user, replacing: true)
        s = try await store.predictionStats(for: user, head: "demo", window: 1)
        #expect(s.correct == 4 && s.recentTotal == 1 && s.recentCorrect == 1)
        // A deleted comparison takes its prediction out of the statistics; other heads are separate.
        try await store.deleteComparison(clientID: "c0", for: user)
        s = try await store.predictionStats(for: user, head: "demo", window: 10)
        #expect(s.total == 3)
        #expect(try await store.predictionStats(for: user, head: "other", window: 10).total == 0)
        let bad = await storeError { try await store.recordPredictions([LabelPrediction(clientID: "c2", head: "demo", pChosen: 1.5, stateVersion: 0)], for: user, replacing: true) }
        #expect(bad?.code == .invalidInput)
    }
}
