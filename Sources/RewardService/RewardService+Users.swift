import Foundation
import PreferenceStore
import RewardModel

extension RewardService {
    /// Stores labelled pairs for a user (idempotent on `id`) in the head's feature space; with
    /// `adapt`, refits the user's state on the whole history afterwards.
    public func appendComparisons(
        tenant: String, user: String, head name: String?, _ submissions: [ComparisonSubmission], adapt: Bool,
        settings: AdaptSettings = AdaptSettings()
    ) async throws(ScoringError) -> AppendOutcome {
        let head = try catalog.head(name)
        guard !submissions.isEmpty else { throw ScoringError(.invalidInput, "comparisons must not be empty", pointer: "/comparisons") }
        var batch: [NewComparison] = []
        for (i, s) in submissions.enumerated() {
            var c = try await newComparison(s, head: head, pointer: "/comparisons/\(i)")
            c.clientID = c.clientID ?? UUID().uuidString.lowercased()  // known before storing: its prediction is keyed by it
            batch.append(c)
        }
        let userKey = UserKey(tenant: tenant, userID: user)
        // Prequential: what the service would have said before seeing these labels (GET /v1/users/{id}/stats).
        let predictions = await predictBeforeStoring(batch, head: head, tenant: tenant, user: user)
        let result = try await storeCall { try await store.appendComparisons(batch, for: userKey) }
        if let predictions, !predictions.isEmpty { try? await store.recordPredictions(predictions, for: userKey, replacing: false) }
        var fit: AdaptOutcome?
        if adapt { fit = try await users.adapt(tenant: tenant, user: user, head: head, settings: settings) }
        return AppendOutcome(stored: result.insertedCount, comparisons: result.comparisons.map(ComparisonRecord.init), adapt: fit)
    }

    /// Replaces one labelled pair (an annotator edited the label).
    public func replaceComparison(
        tenant: String, user: String, id: String, head name: String?, _ submission: ComparisonSubmission
    ) async throws(ScoringError) -> ComparisonRecord {
        let head = try catalog.head(name)
        let replacement = try await newComparison(submission, head: head, pointer: "")
        let stored = try await storeCall {
            try await store.replaceComparison(clientID: id, with: replacement, for: UserKey(tenant: tenant, userID: user))
        }
        return ComparisonRecord(stored)
    }

    public func deleteComparison(tenant: String, user: String, id: String) async throws(ScoringError) {
        try await storeCall { try await store.deleteComparison(clientID: id, for: UserKey(tenant: tenant, userID: user)) }
    }

    public func history(tenant: String, user: String, cursor: String?, limit: Int) async throws(ScoringError) -> HistoryPageResult {
        var after: Cursor?
        if let cursor {
            guard let c = Cursor(token: cursor) else {
                throw ScoringError(.invalidInput, "cursor is not one this service issued", pointer: "cursor")
            }
            after = c
        }
        let key = UserKey(tenant: tenant, userID: user)
        let page = try await storeCall { try await store.history(HistoryQuery(user: key, after: after, limit: limit)) }
        // An unknown user (in this tenant) is a 404 like GET /v1/users/{id}, not an empty page.
        if page.comparisons.isEmpty && cursor == nil {
            let counts = try await storeCall { try await store.counts(for: key) }
            if counts.comparisons == 0 && counts.states == 0 {
                throw ScoringError(.userNotFound, "user \(user) has no comparisons and no state")
            }
        }
        return HistoryPageResult(comparisons: page.comparisons.map(ComparisonRecord.init), nextCursor: page.nextCursor?.token)
    }

    /// Fits the user's state to their stored history and saves it.
    public func adapt(tenant: String, user: String, head name: String?, settings: AdaptSettings) async throws(ScoringError) -> AdaptOutcome {
        let head = try catalog.head(name)
        return try await users.adapt(tenant: tenant, user: user, head: head, settings: settings)
    }

    /// Few-shot fit with nothing stored: comparisons in, state out.
    public func adaptStateless(
        head name: String?, _ submissions: [ComparisonSubmission], initial: [Double]?, settings: AdaptSettings
    ) async throws(ScoringError) -> AdaptOutcome {
        let started = ContinuousClock.now
        let head = try catalog.head(name)
        guard head.head.kind.isPersonalized else {
            throw ScoringError(.unsupported, "head \(head.name) is a population (bt) head: it has no user state to adapt")
        }
        if let initial, initial.count != head.head.stateDim {
            throw ScoringError(.invalidInput, "user_state.theta needs \(head.head.stateDim) numbers", pointer: "/user_state/theta")
        }
        var labelled: [LabeledComparison] = []
        for (i, s) in submissions.enumerated() {
            let c = try await newComparison(s, head: head, pointer: "/comparisons/\(i)")
            labelled.append(LabeledComparison(prompt: c.prompt, chosen: c.chosen, rejected: c.rejected, weight: c.weight))
        }
        let model = head.head
        let options = settings.options(for: model)
        let start = initial.map { ModelUserState(theta: $0) }
        let examples = labelled
        let fit = try await head.onWorker(cost: examples.count) { try model.adapt(examples, options: options, initial: start) }
        metrics.adaptStateless.record(since: started)
        return users.outcome(fit, head: head, version: 0, started: started)
    }

    public func user(tenant: String, id: String, head name: String?) async throws(ScoringError) -> UserView {
        let head = try catalog.head(name)
        let key = UserKey(tenant: tenant, userID: id)
        let counts = try await storeCall { try await store.counts(for: key) }
        let state = try await users.resolve(tenant: tenant, user: id, head: head)
        guard counts.comparisons > 0 || counts.states > 0 else {
            throw ScoringError(.userNotFound, "user \(id) has no comparisons and no state")
        }
        let stored = try await storeCall { try await store.loadState(for: key, head: head.name) }
        return UserView(id: id, head: head.name, theta: state.theta, version: state.version, coldStart: state.coldStart,
                        comparisons: counts.comparisons, updatedAt: state.coldStart ? nil : stored?.updatedAt)
    }

    /// Erases the user's states (all heads) and history.
    public func deleteUser(tenant: String, id: String) async throws(ScoringError) {
        _ = try await storeCall { try await store.deleteUser(UserKey(tenant: tenant, userID: id)) }
        users.forget(tenant: tenant, user: id)
    }

    /// A submission's features in the head's feature space, texts kept for re-embedding later.
    func newComparison(_ s: ComparisonSubmission, head: ServedHead, pointer: String) async throws(ScoringError) -> NewComparison {
        guard s.weight.isFinite, s.weight > 0 else {
            throw ScoringError(.invalidInput, "weight must be a positive number", pointer: pointer + "/weight")
        }
        let d = head.head.featureDim
        let vectors = try await features.resolve(
            [.init(item: s.chosen, pointer: pointer + "/chosen", dimension: d),
             .init(item: s.rejected, pointer: pointer + "/rejected", dimension: d)], head: head)
        let prompt = try await resolvePrompts([(s.prompt, pointer + "/prompt")], head: head)[0]
        return NewComparison(
            clientID: s.id, featureSpace: head.featureSpace, prompt: prompt, chosen: vectors[0], rejected: vectors[1],
            promptText: s.prompt?.text, chosenText: s.chosen.text, rejectedText: s.rejected.text,
            weight: s.weight, source: s.source)
    }
}

extension ComparisonRecord {
    init(_ c: StoredComparison) {
        self.init(id: c.clientID, sequence: c.sequence, featureSpace: c.featureSpace, prompt: c.prompt, chosen: c.chosen,
                  rejected: c.rejected, promptText: c.promptText, chosenText: c.chosenText, rejectedText: c.rejectedText,
                  weight: c.weight, source: c.source, createdAt: c.createdAt, updatedAt: c.updatedAt)
    }
}
