/// Where a user's labels and fitted states live. The domain (RewardService) talks only to this protocol;
/// `PostgresPreferenceStore` is the product implementation, `InMemoryPreferenceStore` the unit-test double.
/// Both follow the same contract, checked by one shared behavioural test suite.
///
/// Every successful write has been committed (with `synchronous_commit` on, for Postgres) before it returns.
/// Failures are `PreferenceStoreError`s; their `code` says what the caller can do about them.
public protocol PreferenceStore: LabelLedger {
    /// Creates the tenant if it does not exist (idempotent). The tenant `default` always exists.
    func ensureTenant(_ tenant: String) async throws

    /// Appends a batch atomically: either every comparison is stored or none is.
    /// Idempotent on `clientID`: a comparison whose id is already stored with the same content is not stored
    /// again and the original row is returned; the same id with different content throws `.conflict`
    /// (and nothing of the batch is stored). Comparisons without a client id get a fresh UUID.
    /// The result lists one stored comparison per input, in input order.
    func appendComparisons(_ batch: [NewComparison], for user: UserKey) async throws -> AppendResult

    /// Replaces the content of one stored comparison, keeping its sequence and `createdAt`.
    /// Throws `.notFound` when no comparison has that client id.
    func replaceComparison(clientID: String, with replacement: NewComparison, for user: UserKey) async throws
        -> StoredComparison

    /// Deletes one comparison. Throws `.notFound` when no comparison has that client id.
    func deleteComparison(clientID: String, for user: UserKey) async throws

    /// One stored comparison by client id, or nil.
    func comparison(clientID: String, for user: UserKey) async throws -> StoredComparison?

    /// One page of a user's history in sequence order, with a keyset cursor for the next page.
    /// Rows appended while a client pages through ascending history appear on later pages, never twice.
    func history(_ query: HistoryQuery) async throws -> HistoryPage

    /// The user's state for one head, or nil when none was saved.
    func loadState(for user: UserKey, head: String) async throws -> UserState?

    /// All of the user's states (one per head), ordered by head name.
    func loadStates(for user: UserKey) async throws -> [UserState]

    /// Users whose state for `head` was fitted for a head version other than `currentVersion`, in
    /// `(tenant, user)` order after `after` (keyset paging), at most `limit`: what `reward refit` refits.
    func staleStates(head: String, currentVersion: String, after: UserKey?, limit: Int) async throws -> [UserKey]

    /// Saves a state with optimistic concurrency. `expectedVersion` nil means "create": it fails with
    /// `.conflict` if a state already exists; otherwise the stored version must equal `expectedVersion`.
    /// Returns the stored state (version incremented, starting at 1) and notifies `stateChanges()` listeners.
    func saveState(_ draft: UserStateDraft, expectedVersion: Int64?) async throws -> UserState

    /// Deletes the user's states and whole history in one transaction and notifies listeners.
    /// Deleting an unknown user is not an error: the counts are zero.
    func deleteUser(_ user: UserKey) async throws -> DeletedUser

    /// How many comparisons (per feature space) and states the user has.
    func counts(for user: UserKey) async throws -> UserCounts

    /// State-change notifications from every process sharing the store (cache coherence across replicas).
    /// Each call returns an independent stream; it ends when the store shuts down.
    func stateChanges() -> AsyncStream<StateChange>

    /// Throws `.unavailable` when the store cannot serve (used by readiness probes).
    func checkHealth() async throws

    /// Closes connections and ends notification streams. Idempotent.
    func shutdown() async
}
