import Foundation
import Testing

@testable import PreferenceStore

@Suite struct HistoryContractTests {
    @Test(arguments: StoreKind.available)
    func pagesCoverEverythingOnceEvenWhileAppending(kind: StoreKind) async throws {
        let (store, user) = try await kind.makeFixture()
        _ = try await store.appendComparisons((0..<25).map { Fixtures.comparison($0, id: "c\($0)") }, for: user)
        var seen: [String] = []
        var cursor: Cursor?
        var pages = 0
        repeat {
            let page = try await store.history(HistoryQuery(user: user, after: cursor, limit: 10))
            seen += page.comparisons.map(\.clientID)
            cursor = page.nextCursor
            pages += 1
            if pages == 1 {  // rows appended mid-paging land on later pages
                _ = try await store.appendComparisons((25..<30).map { Fixtures.comparison($0, id: "c\($0)") }, for: user)
            }
            // The cursor survives a round trip through its client-facing token.
            if let token = cursor?.token {
                let parsed: Cursor = try #require(Cursor(token: token))
                cursor = parsed
            }
        } while cursor != nil
        #expect(seen == (0..<30).map { "c\($0)" })
        #expect(pages == 3)
    }

    @Test(arguments: StoreKind.available)
    func newestFirstAndFeatureSpaceFilter(kind: StoreKind) async throws {
        let (store, user) = try await kind.makeFixture()
        let batch = (0..<7).map { Fixtures.comparison($0, id: "c\($0)", space: $0 % 2 == 0 ? "even/8" : "odd/8") }
        _ = try await store.appendComparisons(batch, for: user)
        let first = try await store.history(HistoryQuery(user: user, limit: 3, order: .newestFirst))
        #expect(first.comparisons.map(\.clientID) == ["c6", "c5", "c4"])
        let second = try await store.history(HistoryQuery(user: user, after: first.nextCursor, limit: 3, order: .newestFirst))
        #expect(second.comparisons.map(\.clientID) == ["c3", "c2", "c1"])
        let even = try await store.history(HistoryQuery(user: user, featureSpace: "even/8", limit: 2))
        #expect(even.comparisons.map(\.clientID) == ["c0", "c2"])
        let evenRest = try await store.history(HistoryQuery(user: user, featureSpace: "even/8", after: even.nextCursor, limit: 2))
        #expect(evenRest.comparisons.map(\.clientID) == ["c4", "c6"])
        #expect(evenRest.nextCursor == nil)
        let other = UserKey(tenant: user.tenant, userID: "someone else")
        #expect(try await store.history(HistoryQuery(user: other)).comparisons.isEmpty)
    }

    @Test func cursorTokensRejectGarbage() {
        #expect(Cursor(token: "c42")?.token == "c42")
        for bad in ["", "c", "42", "c-1", "cx", "c1 ", "c99999999999999999999"] { #expect(Cursor(token: bad) == nil) }
    }
}
