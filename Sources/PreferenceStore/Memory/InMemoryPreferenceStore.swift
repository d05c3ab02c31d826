import Foundation

/// A `PreferenceStore` held in process memory, for unit tests of the layers above the store.
/// It follows the Postgres implementation's contract exactly (the shared behavioural suite runs on both):
/// idempotent appends, typed conflicts, keyset paging, optimistic concurrency, notifications.
public actor InMemoryPreferenceStore: PreferenceStore {
    private struct UserData {
        var comparisons: [StoredComparison] = []  // in sequence order
        var states: [String: UserState] = [:]
    }

    var tenants: Set<String> = [UserKey.defaultTenant]
    var apiKeys: [String: APIKeyRecord] = [:]  // InMemoryPreferenceStore+APIKeys.swift
    private var users: [UserKey: UserData] = [:]
    private var nextSequence: Int64 = 1
    private var isShutDown = false
    private nonisolated let broadcaster = StateChangeBroadcaster()
    /// Label sources and prequential predictions (InMemoryPreferenceStore+Labels.swift).
    var ledger = MemoryLedger()
    /// Injected "now" so tests can pin timestamps; defaults to the wall clock.
    private let now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date = { Date() }) {
        self.now = now
    }

    public func ensureTenant(_ tenant: String) async throws {
        try checkOpen()
        try Validation.identifier(tenant, "tenant")
        tenants.insert(tenant)
    }

    public func appendComparisons(_ batch: [NewComparison], for user: UserKey) async throws -> AppendResult {
        try checkOpen()
        try Validation.user(user)
        let (unique, slot) = try Validation.normalizedBatch(batch)
        try requireTenant(user.tenant)
        var data = users[user] ?? UserData()
        var stored: [StoredComparison] = []
        var fresh: [StoredComparison] = []
        var sequence = nextSequence
        let timestamp = now()
        for c in unique {
            let id = c.clientID!
            if let existing = data.comparisons.first(where: { $0.clientID == id }) {
                guard existing.hasSameContent(as: c) else {
                    throw PreferenceStoreError(.conflict, "comparison id already stored with different content")
                }
                stored.append(existing)
            } else {
                let row = StoredComparison(c, clientID: id, sequence: sequence, createdAt: timestamp, updatedAt: timestamp)
                sequence += 1
                stored.append(row)
                fresh.append(row)
            }
        }
        // All checks passed: commit the whole batch at once.
        nextSequence = sequence
        data.comparisons.append(contentsOf: fresh)
        users[user] = data
        return AppendResult(comparisons: slot.map { stored[$0] }, insertedCount: fresh.count)
    }

    public func replaceComparison(clientID: String, with replacement: NewComparison, for user: UserKey) async throws
        -> StoredComparison
    {
        try checkOpen()
        try Validation.user(user)
        try Validation.identifier(clientID, "comparison id")
        try Validation.comparison(replacement)
        guard replacement.clientID == nil || replacement.clientID == clientID else {
            throw PreferenceStoreError(.invalidInput, "replacement carries a different comparison id")
        }
        guard var data = users[user], let index = data.comparisons.firstIndex(where: { $0.clientID == clientID }) else {
            throw PreferenceStoreError(.notFound, "no comparison with that id")
        }
        let old = data.comparisons[index]
        let row = StoredComparison(replacement, clientID: clientID, sequence: old.sequence, createdAt: old.createdAt, updatedAt: now())
        data.comparisons[index] = row
        users[user] = data
        return row
    }

    public func deleteComparison(clientID: String, for user: UserKey) async throws {
        try checkOpen()
        try Validation.user(user)
        try Validation.identifier(clientID, "comparison id")
        guard var data = users[user], let index = data.comparisons.firstIndex(where: { $0.clientID == clientID }) else {
            throw PreferenceStoreError(.notFound, "no comparison with that id")
        }
        data.comparisons.remove(at: index)
        users[user] = data
    }

    public func comparison(clientID: String, for user: UserKey) async throws -> StoredComparison? {
        try checkOpen()
        try Validation.user(user)
        try Validation.identifier(clientID, "comparison id")
        return users[user]?.comparisons.first { $0.clientID == clientID }
    }

    public func history(_ query: HistoryQuery) async throws -> HistoryPage {
        try checkOpen()
        try Validation.history(query)
        let all = users[query.user]?.comparisons ?? []
        let matching = all.lazy.filter { query.featureSpace == nil || $0.featureSpace == query.featureSpace }
        let rows: [StoredComparison]
        switch query.order {
        case .oldestFirst:
            let after = query.after?.position ?? 0
            rows = Array(matching.filter { $0.sequence > after }.prefix(query.limit + 1))
        case .newestFirst:
            let before = query.after?.position ?? Int64.max
            rows = Array(matching.reversed().filter { $0.sequence < before }.prefix(query.limit + 1))
        }
        let page = Array(rows.prefix(query.limit))
        let next = rows.count > query.limit ? page.last.map { Cursor(position: $0.sequence) } : nil
        return HistoryPage(comparisons: page, nextCursor: next)
    }

    public func loadState(for user: UserKey, head: String) async throws -> UserState? {
        try checkOpen()
        try Validation.user(user)
        try Validation.identifier(head, "head")
        return users[user]?.states[head]
    }

    public func loadStates(for user: UserKey) async throws -> [UserState] {
        try checkOpen()
        try Validation.user(user)
        return (users[user]?.states.values.map { $0 } ?? []).sorted { $0.head < $1.head }
    }

    public func staleStates(head: String, currentVersion: String, after: UserKey?, limit: Int) async throws -> [UserKey] {
        try checkOpen()
        try Validation.identifier(head, "head")
        func precedes(_ a: UserKey, _ b: UserKey) -> Bool {
            (a.tenant.utf8.lexicographicallyPrecedes(b.tenant.utf8))
                || (a.tenant == b.tenant && a.userID.utf8.lexicographicallyPrecedes(b.userID.utf8))
        }
        let stale = users.compactMap { key, data in
            data.states[head].map { $0.headVersion == currentVersion ? nil : key } ?? nil
        }
        return Array(stale.filter { after == nil || precedes(after!, $0) }.sorted(by: precedes).prefix(max(0, limit)))
    }

    public func saveState(_ draft: UserStateDraft, expectedVersion: Int64?) async throws -> UserState {
        try checkOpen()
        try Validation.state(draft)
        try requireTenant(draft.user.tenant)
        var data = users[draft.user] ?? UserData()
        let current = data.states[draft.head]?.version
        guard current == expectedVersion else {
            throw PreferenceStoreError(.conflict, "user state version moved (expected \(expectedVersion.map(String.init) ?? "none"))")
        }
        let state = UserState(draft, version: (current ?? 0) + 1, updatedAt: now())
        data.states[draft.head] = state
        users[draft.user] = data
        broadcaster.publish(.stateSaved(draft.user, head: draft.head, version: state.version))
        return state
    }

    public func deleteUser(_ user: UserKey) async throws -> DeletedUser {
        try checkOpen()
        try Validation.user(user)
        let data = users.removeValue(forKey: user)
        ledger.forget(user)
        broadcaster.publish(.userDeleted(user))
        return DeletedUser(comparisons: data?.comparisons.count ?? 0, states: data?.states.count ?? 0)
    }

    public func counts(for user: UserKey) async throws -> UserCounts {
        try checkOpen()
        try Validation.user(user)
        let data = users[user] ?? UserData()
        let bySpace = Dictionary(grouping: data.comparisons, by: \.featureSpace).mapValues(\.count)
        return UserCounts(comparisons: data.comparisons.count, comparisonsByFeatureSpace: bySpace, states: data.states.count)
    }

    public nonisolated func stateChanges() -> AsyncStream<StateChange> {
        broadcaster.subscribe()
    }

    public func checkHealth() async throws {
        try checkOpen()
    }

    public func shutdown() async {
        isShutDown = true
        broadcaster.finish()
    }

    func checkOpen() throws {
        guard !isShutDown else { throw PreferenceStoreError(.unavailable, "store is shut down") }
    }

    private func requireTenant(_ tenant: String) throws {
        guard tenants.contains(tenant) else { throw PreferenceStoreError(.notFound, "unknown tenant") }
    }
}
