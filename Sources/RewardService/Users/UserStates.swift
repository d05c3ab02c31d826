import Foundation
import PreferenceStore
import RewardModel

/// Resolves, fits and caches users' states for heads. A stored state fitted for another head
/// version is never served: it is refitted from the user's history on first use.
final class UserStates: Sendable {
    let store: any PreferenceStore
    let cache: LRUCache<StateKey, CachedState>
    let prepared: LRUCache<PreparedKey, PreparedComparison>
    let maxHistory: Int
    let metrics: ServiceMetrics

    init(store: any PreferenceStore, cacheSize: Int, preparedCacheSize: Int, maxHistory: Int, metrics: ServiceMetrics) {
        self.store = store
        self.metrics = metrics
        cache = LRUCache(capacity: cacheSize)
        prepared = LRUCache(capacity: preparedCacheSize)
        self.maxHistory = maxHistory
    }

    /// The state to score with for a stored user (a cold start when none can be fitted).
    func resolve(tenant: String, user: String, head: ServedHead, fitIfMissing: Bool = true) async throws(ScoringError) -> CachedState {
        let key = StateKey(tenant: tenant, user: user, head: head.name)
        if let c = cache.get(key), c.headVersion == head.version {
            metrics.userCacheHits.increment()
            return c
        }
        guard head.head.kind.isPersonalized else { return cold(head, user: user, version: 0) }
        metrics.userCacheMisses.increment()
        let userKey = UserKey(tenant: tenant, userID: user)
        let stored = try await storeCall { try await store.loadState(for: userKey, head: head.name) }
        if let s = stored, s.headVersion == head.version, s.theta.count == head.head.stateDim {
            let c = CachedState(theta: s.theta, precision: s.precision, version: s.version, headVersion: s.headVersion, coldStart: false)
            cache.set(key, c)
            return c
        }
        // No usable state: fit one from the history if there is any (a new head version, or
        // labels appended without adapting); otherwise a cold start.
        // (`fitIfMissing` false — a prediction made while storing labels — must not fit and save a state as a
        // side effect: it takes the cold start, uncached.)
        guard fitIfMissing else { return cold(head, user: user, version: stored?.version ?? 0) }
        let counts = try await storeCall { try await store.counts(for: userKey) }
        if counts.comparisonsByFeatureSpace[head.featureSpace, default: 0] > 0 {
            do {
                _ = try await adapt(tenant: tenant, user: user, head: head, settings: AdaptSettings())
                if let c = cache.get(key) { return c }
            } catch where error.code == .userNotFound || error.code == .historyMismatch {
                // The history was erased meanwhile, or this head cannot learn from it (labels without the
                // prompt it needs): scores come from the cold start, and say so (`cold_start`).
            }
        }
        let c = cold(head, user: user, version: stored?.version ?? 0)
        cache.set(key, c)
        return c
    }

    private func cold(_ head: ServedHead, user: String, version: Int64) -> CachedState {
        let theta = head.head.seenUsers[user] ?? head.head.populationState
        return CachedState(theta: theta, precision: nil, version: version, headVersion: head.version, coldStart: true)
    }

    /// Fits the user's state to their whole history in the head's feature space and saves it.
    /// A concurrent save (optimistic-concurrency conflict) is retried once on fresh data.
    func adapt(tenant: String, user: String, head: ServedHead, settings: AdaptSettings) async throws(ScoringError) -> AdaptOutcome {
        guard head.head.kind.isPersonalized else {
            throw ScoringError(.unsupported, "head \(head.name) is a population (bt) head: it has no user state to adapt")
        }
        let started = ContinuousClock.now
        var attempt = 0
        while true {
            attempt += 1
            do {
                let outcome = try await adaptOnce(tenant: tenant, user: user, head: head, settings: settings, started: started)
                metrics.adaptStored.record(since: started)
                return outcome
            } catch where error.code == .conflict && attempt < 3 {
                continue
            }
        }
    }

    private func adaptOnce(
        tenant: String, user: String, head: ServedHead, settings: AdaptSettings, started: ContinuousClock.Instant
    ) async throws(ScoringError) -> AdaptOutcome {
        let userKey = UserKey(tenant: tenant, userID: user)
        let previous = try await storeCall { try await store.loadState(for: userKey, head: head.name) }
        let history = try await loadHistory(userKey, featureSpace: head.featureSpace)
        guard !history.isEmpty else {
            throw ScoringError(
                .userNotFound, "user \(user) has no comparisons recorded in feature space \(head.featureSpace)")
        }
        try checkPrompts(history, user: user, head: head)
        let fit = try await fitOnWorker(history, tenant: tenant, user: user, head: head, settings: settings,
                                        warmStart: previous.flatMap { $0.headVersion == head.version ? $0.theta : nil })
        let draft = UserStateDraft(
            user: userKey, head: head.name, headVersion: head.version, theta: fit.state.theta,
            precision: fit.state.precision, comparisonCount: history.count)
        let saved = try await storeCall { try await store.saveState(draft, expectedVersion: previous?.version) }
        let key = StateKey(tenant: tenant, user: user, head: head.name)
        cache.set(key, CachedState(theta: saved.theta, precision: saved.precision, version: saved.version,
                                   headVersion: saved.headVersion, coldStart: false))
        return outcome(fit, head: head, version: saved.version, started: started)
    }

    func outcome(_ fit: AdaptResult, head: ServedHead, version: Int64, started: ContinuousClock.Instant) -> AdaptOutcome {
        let elapsed = ContinuousClock.now - started
        return AdaptOutcome(
            head: head.name, theta: fit.state.theta, version: version, n: fit.report.comparisons,
            trainAccuracy: fit.report.trainingAccuracy, loss: fit.report.objective, gradientNorm: fit.report.gradientNorm,
            iterations: fit.report.iterations, converged: fit.report.converged,
            tookMs: Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
    }

    /// The most recent `maxHistory` comparisons in one feature space, oldest first.
    private func loadHistory(_ user: UserKey, featureSpace: String) async throws(ScoringError) -> [StoredComparison] {
        var all: [StoredComparison] = []
        var cursor: Cursor?
        repeat {
            let query = HistoryQuery(user: user, featureSpace: featureSpace, after: cursor,
                                     limit: min(HistoryQuery.maxLimit, maxHistory - all.count), order: .newestFirst)
            let page = try await storeCall { try await store.history(query) }
            all += page.comparisons
            cursor = page.nextCursor
        } while cursor != nil && all.count < maxHistory
        return all.reversed()
    }

    /// A stored prompt as this head reads it. History is shared by the heads of a feature space, and a
    /// prompt was stored for whichever head took it: a head without a prompt input ignores it, and one
    /// of another width (another prompt encoder) is as good as none.
    static func prompt(_ stored: [Float]?, for head: RewardHead) -> [Float]? {
        guard let stored, let width = head.promptDim, stored.count == width else { return nil }
        return stored
    }

    /// A head that needs a prompt cannot learn from labels without one: refused, not skipped, so `n`
    /// never silently shrinks.
    private func checkPrompts(_ history: [StoredComparison], user: String, head: ServedHead) throws(ScoringError) {
        guard head.head.requiresPrompt else { return }
        let unusable = history.filter { Self.prompt($0.prompt, for: head.head) == nil }.count
        guard unusable == 0 else {
            throw ScoringError(
                .historyMismatch,
                "head \(head.name) needs a prompt of \(head.head.promptDim ?? 0) features on every comparison; \(unusable) of " +
                    "user \(user)'s \(history.count) in \(head.featureSpace) have none (replace them with a prompt, or adapt another head)")
        }
    }

    /// Prepares (shared-head pass) only comparisons not in the cache, then fits — all on the worker.
    private func fitOnWorker(
        _ history: [StoredComparison], tenant: String, user: String, head: ServedHead, settings: AdaptSettings,
        warmStart: [Double]?
    ) async throws(ScoringError) -> AdaptResult {
        let keys = history.map {
            PreparedKey(tenant: tenant, user: user, head: head.name, headVersion: head.version, sequence: $0.sequence,
                        updatedAt: $0.updatedAt.timeIntervalSince1970)
        }
        let cached = keys.map { prepared.get($0) }
        let missing = history.indices.filter { cached[$0] == nil }
        let labelled = missing.map { i in
            LabeledComparison(prompt: Self.prompt(history[i].prompt, for: head.head), chosen: history[i].chosen,
                              rejected: history[i].rejected, weight: history[i].weight)
        }
        let model = head.head
        let options = settings.options(for: model)
        let initial = warmStart.map { ModelUserState(theta: $0) }
        let (fresh, fit) = try await head.onWorker(cost: max(1, labelled.count)) {
            let fresh = try model.prepare(labelled)
            var all = cached
            for (slot, p) in zip(missing, fresh) { all[slot] = p }
            return (fresh, try model.adapt(all.map { $0! }, options: options, initial: initial))
        }
        for (slot, p) in zip(missing, fresh) { prepared.set(keys[slot], p) }
        return fit
    }

    /// Keeps the cache coherent with saves and deletes made anywhere (this or another replica).
    func apply(_ change: StateChange) {
        switch change {
        case let .stateSaved(user, head, version):
            let key = StateKey(tenant: user.tenant, user: user.userID, head: head)
            if let c = cache.get(key), c.version >= version { return }
            cache.remove(key)
        case let .userDeleted(user):
            cache.removeAll { $0.tenant == user.tenant && $0.user == user.userID }
            prepared.removeAll { $0.tenant == user.tenant && $0.user == user.userID }
        case .resynchronize:
            cache.removeAll { _ in true }
        }
    }

    func forget(tenant: String, user: String) {
        apply(.userDeleted(UserKey(tenant: tenant, userID: user)))
    }
}
