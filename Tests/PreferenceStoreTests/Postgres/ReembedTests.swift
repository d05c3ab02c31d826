import Foundation
import Testing

@testable import PreferenceStore

/// `reward reembed`'s store side against a real Postgres. Re-embedding walks the whole table, so each
/// test has a schema of its own (the shared test schema holds other tests' rows).
@Suite(.enabled(if: TestDatabase.isConfigured), .timeLimit(.minutes(1)))
struct ReembedTests {
    static let old = "old-encoder/8", new = "new-encoder/4"

    /// A stand-in encoder: a text's vector is its length and three of its first bytes.
    static func fakeEmbedding(_ text: String) -> [Float] {
        let bytes = Array(text.utf8)
        return [Float(bytes.count)] + (0..<3).map { Float(bytes.count > $0 ? bytes[$0] : 0) }
    }

    static func withSchema(_ body: (PostgresPreferenceStore, _ listening: () async throws -> Bool) async throws -> Void) async throws {
        let schema = TestDatabase.uniqueName("reembed")
        let store = try await PostgresPreferenceStore.connect(TestDatabase.configuration(schema: schema, applicationName: schema))
        // The LISTEN connection starts in the background: a test that expects a notification waits for it.
        let listening = {
            try await AdminSQL.eventually {
                try await AdminSQL.query("SELECT pid FROM pg_stat_activity WHERE application_name = '\(schema)-listen' AND query LIKE 'LISTEN%'").count == 1
            }
        }
        do {
            try await body(store, listening)
        } catch {
            await store.shutdown()
            try await AdminSQL.execute("DROP SCHEMA \(schema) CASCADE")
            throw error
        }
        await store.shutdown()
        try await AdminSQL.execute("DROP SCHEMA \(schema) CASCADE")
    }

    static func texted(_ id: String, prompt: String?, space: String = old) -> NewComparison {
        NewComparison(clientID: id, featureSpace: space, prompt: prompt.map { _ in Fixtures.features(1) },
                      chosen: Fixtures.features(2), rejected: Fixtures.features(3),
                      promptText: prompt, chosenText: "chosen of \(id)", rejectedText: "rejected of \(id)")
    }

    @Test func movesTextedHistoryIntoTheNewSpaceAndInvalidatesThoseUsersStates() async throws {
        try await Self.withSchema { store, listening in
            let alice = UserKey(tenant: "t1", userID: "alice"), bob = UserKey(tenant: "t2", userID: "bob")
            let carol = UserKey(tenant: "t1", userID: "carol")
            for t in ["t1", "t2"] { try await store.ensureTenant(t) }
            var bare = Fixtures.comparison(9, id: "bare", space: Self.old)  // sent as features: no texts
            bare.promptText = nil; bare.chosenText = nil
            _ = try await store.appendComparisons([Self.texted("a1", prompt: "a prompt"), Self.texted("a2", prompt: nil),
                                                   Self.texted("a3", prompt: "a prompt"), bare], for: alice)
            _ = try await store.appendComparisons([Self.texted("b1", prompt: nil), Self.texted("b2", prompt: "b prompt")], for: bob)
            var current = Self.texted("c1", prompt: nil, space: Self.new)
            current.chosen = [1, 2, 3, 4]; current.rejected = [5, 6, 7, 8]
            _ = try await store.appendComparisons([current], for: carol)
            let aliceState = try await store.saveState(UserStateDraft(user: alice, head: "h", headVersion: "7", theta: [1], comparisonCount: 3), expectedVersion: nil)
            let carolState = try await store.saveState(UserStateDraft(user: carol, head: "h", headVersion: "7", theta: [2], comparisonCount: 1), expectedVersion: nil)
            var changes = store.stateChanges().makeAsyncIterator()
            #expect(try await listening())
            let before = try #require(try await store.comparison(clientID: "a1", for: alice))

            var progress: [PostgresPreferenceStore.ReembedSummary] = []
            let summary = try await store.reembed(into: Self.new, batchSize: 2, embed: { $0.map(Self.fakeEmbedding) }, progress: { progress.append($0) })
            #expect(summary.candidates == 6 && summary.reembedded == 5 && summary.withoutText == 1 && summary.changedMeanwhile == 0)
            // Pages of 2 by (tenant, user, id): [a1 a2] 5 distinct texts, [a3 bare] 3, [b1 b2] 5, then an empty page.
            #expect(summary.textsEmbedded == 13)
            #expect(progress.count == 4 && progress.last == summary)

            for (user, ids) in [(alice, ["a1", "a2", "a3"]), (bob, ["b1", "b2"])] {
                let page = try await store.history(HistoryQuery(user: user, featureSpace: Self.new))
                #expect(page.comparisons.map(\.clientID) == ids)
                for c in page.comparisons {
                    #expect(c.chosen == Self.fakeEmbedding(c.chosenText!) && c.rejected == Self.fakeEmbedding(c.rejectedText!))
                    #expect(c.prompt == c.promptText.map(Self.fakeEmbedding))
                }
            }
            let moved = try #require(try await store.comparison(clientID: "a1", for: alice))
            #expect(moved.sequence == before.sequence && moved.createdAt == before.createdAt && moved.updatedAt > before.updatedAt)
            #expect(try await store.comparison(clientID: "bare", for: alice)?.featureSpace == Self.old, "no text: left in its space")
            #expect(try await store.comparison(clientID: "c1", for: carol)?.chosen == [1, 2, 3, 4], "already in the new space: untouched")

            let invalidated = try #require(try await store.loadState(for: alice, head: "h"))
            // Alice's rows span two pages (two transactions): her state is invalidated by each.
            #expect(invalidated.headVersion == "" && invalidated.version == aliceState.version + 2 && invalidated.theta == [1])
            #expect(summary.usersInvalidated == 2, "alice and bob, each once")
            #expect(try await store.loadState(for: carol, head: "h") == carolState)
            var next = await changes.next()
            while let change = next, change != .stateSaved(alice, head: "h", version: invalidated.version) { next = await changes.next() }
            #expect(next == .stateSaved(alice, head: "h", version: invalidated.version), "replicas hear of the invalidation")

            // A second run finds only what cannot be re-embedded.
            let again = try await store.reembed(into: Self.new, batchSize: 2, embed: { $0.map(Self.fakeEmbedding) })
            #expect(again.candidates == 1 && again.reembedded == 0 && again.withoutText == 1 && again.usersInvalidated == 0)
        }
    }

    @Test func aComparisonEditedWhileItWasBeingEmbeddedIsLeftForTheNextRun() async throws {
        try await Self.withSchema { store, _ in
            let user = UserKey(tenant: "t", userID: "u")
            try await store.ensureTenant("t")
            _ = try await store.appendComparisons([Self.texted("x", prompt: nil), Self.texted("y", prompt: nil)], for: user)
            let page = try await store.reembedPage(excluding: Self.new, after: .start, limit: 10)
            #expect(page.candidates.map(\.clientID) == ["x", "y"] && page.next == nil)
            var edited = Self.texted("x", prompt: nil)
            edited.chosenText = "an annotator changed this"
            _ = try await store.replaceComparison(clientID: "x", with: edited, for: user)
            let updates = page.candidates.map {
                Reembedding.Update(candidate: $0, prompt: nil, chosen: [0, 0, 0, 1], rejected: [0, 0, 1, 0])
            }
            let applied = try await store.applyReembedding(updates, featureSpace: Self.new)
            #expect(applied == Reembedding.Applied(comparisons: 1, users: [user]))
            #expect(try await store.comparison(clientID: "x", for: user)?.featureSpace == Self.old)
            #expect(try await store.comparison(clientID: "y", for: user)?.featureSpace == Self.new)
            // Applying the same batch again (a retry) changes nothing.
            #expect(try await store.applyReembedding(updates, featureSpace: Self.new) == Reembedding.Applied(comparisons: 0, users: []))
            let counts = try await store.reembedCounts(excluding: Self.new)
            #expect(counts.total == 1 && counts.reembeddable == 1)
        }
    }

    @Test func pagesWalkEveryTenantAndUserOnce() async throws {
        try await Self.withSchema { store, _ in
            var expected: [String] = []
            for tenant in ["a", "b"] {
                try await store.ensureTenant(tenant)
                for user in ["u1", "u2", "u3"] {
                    let ids = (0..<3).map { "\(user)-\($0)" }
                    _ = try await store.appendComparisons(ids.map { Self.texted($0, prompt: nil) }, for: UserKey(tenant: tenant, userID: user))
                    expected += ids.map { "\(tenant)/\(user)/\($0)" }
                }
            }
            var seen: [String] = [], cursor = Reembedding.Cursor.start
            while true {
                let page = try await store.reembedPage(excluding: Self.new, after: cursor, limit: 4)
                seen += page.candidates.map { "\($0.tenant)/\($0.userID)/\($0.clientID)" }
                guard let next = page.next else { break }
                cursor = next
            }
            #expect(seen == expected)
        }
    }
}
