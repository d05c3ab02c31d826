import Foundation
import Testing

@testable import PreferenceStore

@Suite struct StateContractTests {
    static func draft(_ user: UserKey, head: String = "pal-b", theta: [Double] = [0.25, -1.5, 3e-12], n: Int = 4) -> UserStateDraft {
        UserStateDraft(user: user, head: head, headVersion: "v1", theta: theta,
                       precision: theta.count == 3 ? [2, 0.5, 0, 0.5, 3, 0.1, 0, 0.1, 4] : nil, comparisonCount: n)
    }

    @Test(arguments: StoreKind.available)
    func optimisticConcurrency(kind: StoreKind) async throws {
        let (store, user) = try await kind.makeFixture()
        #expect(try await store.loadState(for: user, head: "pal-b") == nil)
        let created = try await store.saveState(Self.draft(user), expectedVersion: nil)
        #expect(created.version == 1)
        #expect(created.theta == [0.25, -1.5, 3e-12])
        #expect(created.precision?.count == 9)
        #expect(try await store.loadState(for: user, head: "pal-b") == created)
        #expect(await storeError { _ = try await store.saveState(Self.draft(user), expectedVersion: nil) }?.code == .conflict)

        let updated = try await store.saveState(Self.draft(user, theta: [1, 2], n: 9), expectedVersion: 1)
        #expect(updated.version == 2 && updated.theta == [1, 2] && updated.precision == nil && updated.comparisonCount == 9)
        #expect(await storeError { _ = try await store.saveState(Self.draft(user), expectedVersion: 1) }?.code == .conflict)
        #expect(try await store.loadState(for: user, head: "pal-b") == updated)
        let other = UserKey(tenant: user.tenant, userID: "other")
        #expect(await storeError { _ = try await store.saveState(Self.draft(other), expectedVersion: 3) }?.code == .conflict)
    }

    @Test(arguments: StoreKind.available)
    func concurrentSavesWithTheSameVersionLetExactlyOneWin(kind: StoreKind) async throws {
        let (store, user) = try await kind.makeFixture()
        _ = try await store.saveState(Self.draft(user), expectedVersion: nil)
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<6 {
                group.addTask { (try? await store.saveState(Self.draft(user, theta: [Double(i)]), expectedVersion: 1)) != nil }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 1)
        #expect(try await store.loadState(for: user, head: "pal-b")?.version == 2)
    }

    @Test(arguments: StoreKind.available)
    func statesPerHeadAndDeleteUser(kind: StoreKind) async throws {
        let (store, user) = try await kind.makeFixture()
        let other = UserKey(tenant: user.tenant, userID: "bystander")
        _ = try await store.saveState(Self.draft(user, head: "micro"), expectedVersion: nil)
        _ = try await store.saveState(Self.draft(user, head: "gpm"), expectedVersion: nil)
        _ = try await store.saveState(Self.draft(other), expectedVersion: nil)
        _ = try await store.appendComparisons((0..<5).map { Fixtures.comparison($0) }, for: user)
        _ = try await store.appendComparisons([Fixtures.comparison(1, id: "kept")], for: other)
        #expect(try await store.loadStates(for: user).map(\.head) == ["gpm", "micro"])
        #expect(try await store.counts(for: user) == UserCounts(comparisons: 5, comparisonsByFeatureSpace: [Fixtures.space: 5], states: 2))

        #expect(try await store.deleteUser(user) == DeletedUser(comparisons: 5, states: 2))
        #expect(try await store.counts(for: user) == UserCounts(comparisons: 0, comparisonsByFeatureSpace: [:], states: 0))
        #expect(try await store.loadStates(for: user).isEmpty)
        #expect(try await store.history(HistoryQuery(user: user)).comparisons.isEmpty)
        #expect(try await store.deleteUser(user) == DeletedUser(comparisons: 0, states: 0))
        #expect(try await store.counts(for: other).comparisons == 1)
        #expect(try await store.loadState(for: other, head: "pal-b") != nil)
        // After deletion the user starts over: version 1 again.
        #expect(try await store.saveState(Self.draft(user), expectedVersion: nil).version == 1)
    }

    @Test(arguments: StoreKind.available)
    func stateChangesAreNotified(kind: StoreKind) async throws {
        let (store, user) = try await kind.makeFixture()
        let changes = store.stateChanges()
        var iterator = changes.makeAsyncIterator()
        // The Postgres listener connects in the background: save until the first notice arrives.
        let saver = Task {
            var version: Int64? = nil
            for _ in 0..<200 {
                guard let saved = try? await store.saveState(Self.draft(user), expectedVersion: version) else { return }
                version = saved.version
                try? await Task.sleep(for: .milliseconds(50))
                if Task.isCancelled { return }
            }
        }
        var firstSaved: StateChange?
        while let change = await iterator.next() {
            if case .stateSaved(let key, "pal-b", _) = change, key == user {
                firstSaved = change
                break
            }
        }
        saver.cancel()
        _ = await saver.result
        #expect(firstSaved != nil)
        _ = try await store.deleteUser(user)
        var sawDelete = false
        while let change = await iterator.next() {
            if change == .userDeleted(user) {
                sawDelete = true
                break
            }
        }
        #expect(sawDelete)
    }
}
