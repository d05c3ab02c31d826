import PreferenceStore

/// What applying or removing one tool label did to the annotator's history.
public struct LabelOutcome: Sendable, Equatable {
    public var user: String
    public var stored = 0
    public var replaced = 0
    public var unchanged = 0
    public var removed = 0
    public var comparisonIDs: [String] = []
    public var adapt: AdaptOutcome?

    public var changedHistory: Bool { stored + replaced + removed > 0 }
}

extension RewardService {
    /// Applies one annotation-tool label (created or updated) to `user`'s history: new comparisons are
    /// appended, edited ones replaced, ones the label no longer implies removed — all under the stable ids of
    /// `LabelMapping`, so replaying the same event changes nothing. Before a comparison is stored, the
    /// service records what it would have predicted (prequential accuracy, `labelStats`).
    public func applyLabel(
        tenant: String, user: String, head name: String?, source: String, origin: String,
        _ comparisons: [LabelComparison], adapt: Bool
    ) async throws(ScoringError) -> LabelOutcome {
        let head = try catalog.head(name)
        let key = UserKey(tenant: tenant, userID: user)
        let prior = try await storeCall { try await store.labelSource(source, tenant: tenant) }
        var outcome = LabelOutcome(user: user, comparisonIDs: comparisons.map(\.id))
        var fresh: [NewComparison] = []
        var edited: [NewComparison] = []
        for (i, c) in comparisons.enumerated() {
            let submission = ComparisonSubmission(
                id: c.id, prompt: head.head.promptDim == nil ? nil : c.prompt.map(Item.text),
                chosen: .text(c.chosen.text), rejected: .text(c.rejected.text), source: origin)
            let new = try await newComparison(submission, head: head, pointer: "/comparisons/\(i)")
            let existing = try await storeCall { try await store.comparison(clientID: c.id, for: key) }
            if let existing {
                if existing.sameLabel(as: new) { outcome.unchanged += 1 } else { edited.append(new) }
            } else {
                fresh.append(new)
            }
        }
        // Comparisons this label produced before but no longer implies (or that belonged to another annotator).
        var formerOwner: String?
        if let prior {
            let keep = prior.userID == user ? Set(outcome.comparisonIDs) : []
            if prior.userID != user { formerOwner = prior.userID }
            for id in prior.clientIDs where !keep.contains(id) {
                outcome.removed += try await removeComparison(id, from: UserKey(tenant: tenant, userID: prior.userID))
            }
        }
        let predictions = await predictBeforeStoring(fresh + edited, head: head, tenant: tenant, user: user)
        if !fresh.isEmpty {
            let batch = fresh
            let result = try await storeCall { try await store.appendComparisons(batch, for: key) }
            outcome.stored = result.insertedCount
        }
        for c in edited {
            _ = try await storeCall { try await store.replaceComparison(clientID: c.clientID!, with: c, for: key) }
            outcome.replaced += 1
        }
        if let predictions, !predictions.isEmpty {
            try? await store.recordPredictions(predictions, for: key, replacing: true)
        }
        let ids = outcome.comparisonIDs
        try await storeCall { try await store.saveLabelSource(source, tenant: tenant, LabelSource(userID: user, clientIDs: ids)) }
        if adapt, outcome.changedHistory {
            if let formerOwner { _ = try await refit(tenant: tenant, user: formerOwner, head: head) }
            outcome.adapt = try await refit(tenant: tenant, user: user, head: head)
        }
        return outcome
    }

    /// Removes every comparison a label produced (the tool deleted the annotation or response). Unknown
    /// labels are not an error: the deletion may be replayed, or the label may never have mapped to anything.
    public func removeLabel(tenant: String, source: String, head name: String?, adapt: Bool) async throws(ScoringError)
        -> LabelOutcome?
    {
        let head = try catalog.head(name)
        guard let prior = try await storeCall({ try await store.labelSource(source, tenant: tenant) }) else { return nil }
        var outcome = LabelOutcome(user: prior.userID)
        let key = UserKey(tenant: tenant, userID: prior.userID)
        for id in prior.clientIDs { outcome.removed += try await removeComparison(id, from: key) }
        try await storeCall { try await store.deleteLabelSource(source, tenant: tenant) }
        if adapt, outcome.removed > 0 { outcome.adapt = try await refit(tenant: tenant, user: prior.userID, head: head) }
        return outcome
    }

    /// Prequential accuracy: how well the service predicted each label before it saw it.
    public func labelStats(tenant: String, user: String, head name: String?, window: Int) async throws(ScoringError)
        -> (head: String, stats: PredictionStats, comparisons: Int)
    {
        let head = try catalog.head(name)
        let key = UserKey(tenant: tenant, userID: user)
        let stats = try await storeCall { try await store.predictionStats(for: key, head: head.name, window: window) }
        let counts = try await storeCall { try await store.counts(for: key) }
        guard counts.comparisons > 0 || stats.total > 0 || counts.states > 0 else {
            throw ScoringError(.userNotFound, "user \(user) has no comparisons and no state")
        }
        return (head.name, stats, counts.comparisons)
    }

    /// P(chosen ≻ rejected) under the user's current state for each comparison about to be stored; nil when
    /// the model cannot answer right now (overload): the label is stored anyway, only its prediction is lost.
    func predictBeforeStoring(_ batch: [NewComparison], head: ServedHead, tenant: String, user: String) async -> [LabelPrediction]? {
        guard !batch.isEmpty else { return [] }
        // The state scoring would use now, without fitting one as a side effect of storing labels.
        var selector = UserSelector.population
        var version: Int64 = 0
        if head.head.kind.isPersonalized {
            guard let s = try? await users.resolve(tenant: tenant, user: user, head: head, fitIfMissing: false) else { return nil }
            selector = .inline(theta: s.theta)
            version = s.coldStart ? 0 : s.version
        }
        let pairs = batch.map { CompareQuery.Pair(prompt: $0.prompt.map(Item.features), a: .features($0.chosen), b: .features($0.rejected)) }
        guard let result = try? await compare(CompareQuery(head: head.name, user: selector, pairs: pairs)) else { return nil }
        return zip(batch, result.results).map { c, p in
            LabelPrediction(clientID: c.clientID ?? "", head: head.name, pChosen: min(1, max(0, p.pA)), stateVersion: version)
        }.filter { !$0.clientID.isEmpty }
    }

    /// 1 when the comparison was deleted, 0 when it was already gone.
    private func removeComparison(_ id: String, from user: UserKey) async throws(ScoringError) -> Int {
        do {
            try await storeCall { try await store.deleteComparison(clientID: id, for: user) }
            return 1
        } catch where error.code == .notFound {
            return 0
        }
    }

    /// Refits after the history changed; a user whose history is now empty keeps no fit (nothing to learn from).
    private func refit(tenant: String, user: String, head: ServedHead) async throws(ScoringError) -> AdaptOutcome? {
        guard head.head.kind.isPersonalized else { return nil }
        do {
            return try await users.adapt(tenant: tenant, user: user, head: head, settings: AdaptSettings())
        } catch where error.code == .userNotFound {
            return nil
        }
    }
}

extension StoredComparison {
    /// Same label content (texts identify the items; features follow from them).
    func sameLabel(as new: NewComparison) -> Bool {
        featureSpace == new.featureSpace && chosenText == new.chosenText && rejectedText == new.rejectedText
            && promptText == new.promptText && weight == new.weight
    }
}
