import Foundation
import Testing

@testable import PreferenceStore

/// The `PreferenceStore` contract for comparisons, run against every implementation.
@Suite struct ComparisonContractTests {
    @Test(arguments: StoreKind.available)
    func appendedComparisonsReadBackExactly(kind: StoreKind) async throws {
        let (store, user) = try await kind.makeFixture()
        let batch = [Fixtures.comparison(1, id: "a"), Fixtures.comparison(2, id: "b", prompt: false), Fixtures.comparison(3)]
        let result = try await store.appendComparisons(batch, for: user)
        #expect(result.insertedCount == 3)
        #expect(result.comparisons.count == 3)
        #expect(result.comparisons[0].clientID == "a" && result.comparisons[1].clientID == "b")
        #expect(!result.comparisons[2].clientID.isEmpty, "a missing id is generated")
        #expect(result.comparisons.map(\.sequence) == result.comparisons.map(\.sequence).sorted())
        let page = try await store.history(HistoryQuery(user: user))
        #expect(page.comparisons == result.comparisons)
        for (stored, new) in zip(page.comparisons, batch) { Fixtures.expectSameContent(stored, new) }
        #expect(page.comparisons[1].prompt == nil)
        #expect(page.nextCursor == nil)
    }

    /// Heads may read prompts of another width than their items (a GPM prompt head, a MiCRo router).
    @Test(arguments: StoreKind.available)
    func promptsKeepTheirOwnDimension(kind: StoreKind) async throws {
        let (store, user) = try await kind.makeFixture()
        var c = Fixtures.comparison(1, id: "narrow-prompt")
        c.prompt = Fixtures.features(7, dim: 5)
        let stored = try await store.appendComparisons([c], for: user).comparisons[0]
        #expect(stored.prompt == c.prompt)
        #expect(try await store.history(HistoryQuery(user: user)).comparisons == [stored])
        var empty = Fixtures.comparison(2)
        empty.prompt = []
        #expect(await storeError { _ = try await store.appendComparisons([empty], for: user) }?.code == .invalidInput)
    }

    @Test(arguments: StoreKind.available)
    func retryingABatchReturnsTheOriginalRows(kind: StoreKind) async throws {
        let (store, user) = try await kind.makeFixture()
        let first = try await store.appendComparisons([Fixtures.comparison(1, id: "a"), Fixtures.comparison(2, id: "b")], for: user)
        let again = try await store.appendComparisons([Fixtures.comparison(1, id: "a"), Fixtures.comparison(2, id: "b")], for: user)
        #expect(again.insertedCount == 0)
        #expect(again.comparisons == first.comparisons)
        let overlap = try await store.appendComparisons([Fixtures.comparison(2, id: "b"), Fixtures.comparison(3, id: "c")], for: user)
        #expect(overlap.insertedCount == 1)
        #expect(overlap.comparisons[0] == first.comparisons[1])
        #expect(try await store.counts(for: user).comparisons == 3)
    }

    @Test(arguments: StoreKind.available)
    func sameIDWithDifferentContentIsAConflictAndStoresNothing(kind: StoreKind) async throws {
        let (store, user) = try await kind.makeFixture()
        _ = try await store.appendComparisons([Fixtures.comparison(1, id: "a")], for: user)
        var changed = Fixtures.comparison(1, id: "a")
        changed.weight = 0.5
        let error = await storeError { _ = try await store.appendComparisons([Fixtures.comparison(9, id: "new"), changed], for: user) }
        #expect(error?.code == .conflict)
        #expect(try await store.comparison(clientID: "new", for: user) == nil, "a conflicting batch stores nothing")
        var otherFeatures = Fixtures.comparison(1, id: "a")
        otherFeatures.chosen[0] += 1
        #expect(await storeError { _ = try await store.appendComparisons([otherFeatures], for: user) }?.code == .conflict)
        #expect(try await store.counts(for: user).comparisons == 1)
    }

    @Test(arguments: StoreKind.available)
    func repeatsInsideOneBatch(kind: StoreKind) async throws {
        let (store, user) = try await kind.makeFixture()
        let result = try await store.appendComparisons([Fixtures.comparison(1, id: "x"), Fixtures.comparison(1, id: "x")], for: user)
        #expect(result.insertedCount == 1)
        #expect(result.comparisons[0] == result.comparisons[1])
        let error = await storeError {
            _ = try await store.appendComparisons([Fixtures.comparison(2, id: "y"), Fixtures.comparison(3, id: "y")], for: user)
        }
        #expect(error?.code == .conflict)
        #expect(try await store.counts(for: user).comparisons == 1)
    }

    @Test(arguments: StoreKind.available)
    func hostileAndNonASCIIStringsAreStoredVerbatim(kind: StoreKind) async throws {
        let (store, baseUser) = try await kind.makeFixture()
        let nasty = ["it's", "back\\slash", "'; DROP TABLE comparisons; --", "\"quoted\"", "naïve 日本語 🎉 עברית", "e\u{301}", "$1 %s \\x00"]
        for (index, text) in nasty.enumerated() {
            let user = UserKey(tenant: baseUser.tenant, userID: "user " + text)
            var comparison = Fixtures.comparison(index, id: "id " + text)
            comparison.promptText = text
            comparison.chosenText = text + "\n\ttabs"
            comparison.rejectedText = text
            comparison.source = "src " + text
            comparison.featureSpace = "space " + text
            let stored = try await store.appendComparisons([comparison], for: user).comparisons[0]
            #expect(stored.clientID == "id " + text)
            let read = try #require(try await store.comparison(clientID: "id " + text, for: user))
            #expect(read == stored)
            Fixtures.expectSameContent(read, comparison)
            let page = try await store.history(HistoryQuery(user: user, featureSpace: "space " + text))
            #expect(page.comparisons.map(\.clientID) == ["id " + text])
            let state = try await store.saveState(UserStateDraft(user: user, head: "head " + text, headVersion: text, theta: [1], comparisonCount: 1), expectedVersion: nil)
            #expect(try await store.loadState(for: user, head: "head " + text) == state)
        }
        #expect(try await store.counts(for: UserKey(tenant: baseUser.tenant, userID: "user it's")).comparisons == 1)
    }

    @Test(arguments: StoreKind.available)
    func replaceKeepsPositionAndDeleteRemoves(kind: StoreKind) async throws {
        let (store, user) = try await kind.makeFixture()
        let original = try await store.appendComparisons([Fixtures.comparison(1, id: "a"), Fixtures.comparison(2, id: "b")], for: user)
        var replacement = Fixtures.comparison(7, space: "other/8", prompt: false)
        replacement.chosenText = "edited"
        let replaced = try await store.replaceComparison(clientID: "a", with: replacement, for: user)
        #expect(replaced.sequence == original.comparisons[0].sequence)
        #expect(replaced.createdAt == original.comparisons[0].createdAt)
        #expect(replaced.clientID == "a")
        Fixtures.expectSameContent(replaced, replacement)
        #expect(try await store.comparison(clientID: "a", for: user) == replaced)
        #expect(try await store.counts(for: user).comparisonsByFeatureSpace == ["other/8": 1, Fixtures.space: 1])

        #expect(await storeError { _ = try await store.replaceComparison(clientID: "missing", with: replacement, for: user) }?.code == .notFound)
        var wrongID = replacement
        wrongID.clientID = "b"
        #expect(await storeError { _ = try await store.replaceComparison(clientID: "a", with: wrongID, for: user) }?.code == .invalidInput)

        try await store.deleteComparison(clientID: "a", for: user)
        #expect(try await store.comparison(clientID: "a", for: user) == nil)
        #expect(await storeError { try await store.deleteComparison(clientID: "a", for: user) }?.code == .notFound)
        let rest = try await store.history(HistoryQuery(user: user))
        #expect(rest.comparisons == [original.comparisons[1]])
        // The id is free again after a delete.
        let readded = try await store.appendComparisons([Fixtures.comparison(3, id: "a")], for: user)
        #expect(readded.insertedCount == 1)
    }

    @Test(arguments: StoreKind.available)
    func invalidInputIsATypedError(kind: StoreKind) async throws {
        let (store, user) = try await kind.makeFixture()
        var nan = Fixtures.comparison(1)
        nan.chosen[0] = .nan
        var mismatched = Fixtures.comparison(1)
        mismatched.rejected.removeLast()
        var nul = Fixtures.comparison(1)
        nul.chosenText = "a\u{0}b"
        var negative = Fixtures.comparison(1)
        negative.weight = -1
        for bad in [nan, mismatched, nul, negative, Fixtures.comparison(1, id: "")] {
            #expect(await storeError { _ = try await store.appendComparisons([bad], for: user) }?.code == .invalidInput)
        }
        let emptyUser = UserKey(tenant: user.tenant, userID: "")
        #expect(await storeError { _ = try await store.appendComparisons([Fixtures.comparison(1)], for: emptyUser) }?.code == .invalidInput)
        #expect(await storeError { _ = try await store.history(HistoryQuery(user: user, limit: 0)) }?.code == .invalidInput)
        #expect(try await store.counts(for: user).comparisons == 0)
        #expect(try await store.appendComparisons([], for: user).comparisons.isEmpty)
    }

    @Test(arguments: StoreKind.available)
    func unknownTenantIsNotFound(kind: StoreKind) async throws {
        let store = try await kind.makeStore()
        let user = UserKey(tenant: TestDatabase.uniqueName("nobody"), userID: "u")
        #expect(await storeError { _ = try await store.appendComparisons([Fixtures.comparison(1)], for: user) }?.code == .notFound)
        let draft = UserStateDraft(user: user, head: "h", headVersion: "1", theta: [0], comparisonCount: 0)
        #expect(await storeError { _ = try await store.saveState(draft, expectedVersion: nil) }?.code == .notFound)
        #expect(try await store.history(HistoryQuery(user: user)).comparisons.isEmpty)
    }
}
