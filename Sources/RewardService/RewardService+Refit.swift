import PreferenceStore

/// How far a bulk refit of one head has got.
public struct RefitProgress: Sendable, Equatable {
    public var head: String
    public var headVersion: String
    /// Stale states refitted from the user's history and saved for the current head version.
    public var refitted = 0
    /// Stale states of users with no comparison in the head's feature space: nothing to fit them on
    /// (they are served as cold starts, as on first use).
    public var withoutHistory = 0
    /// Users whose refit failed (logged by the caller; the run goes on).
    public var failed = 0

    public var processed: Int { refitted + withoutHistory + failed }
}

extension RewardService {
    /// Refits, in bulk, every stored state of head `name` fitted for another head version, through
    /// the same path as the lazy refit on first use (`UserStates.resolve`). `progress` hears after
    /// every user; `failure` gets the users whose refit failed.
    public func refitStaleStates(
        head name: String, pageSize: Int = 200,
        progress: (RefitProgress) -> Void = { _ in },
        failure: (UserKey, ScoringError) -> Void = { _, _ in }
    ) async throws(ScoringError) -> RefitProgress {
        let head = try catalog.head(name)
        var report = RefitProgress(head: head.name, headVersion: head.version)
        guard head.head.kind.isPersonalized else { return report }  // no user state is ever applied
        var after: UserKey?
        while true {
            let page = try await storeCall {
                try await store.staleStates(head: head.name, currentVersion: head.version, after: after, limit: pageSize)
            }
            for user in page {
                do {
                    let state = try await users.resolve(tenant: user.tenant, user: user.userID, head: head)
                    if state.coldStart { report.withoutHistory += 1 } else { report.refitted += 1 }
                } catch {
                    report.failed += 1
                    failure(user, error)
                }
                progress(report)
            }
            guard page.count == pageSize, let last = page.last else { return report }
            after = last
        }
    }
}
