import Foundation

/// The in-memory store's label ledger: the same contract as the Postgres tables of migration 5.
struct MemoryLedger {
    struct PredictionKey: Hashable {
        var user: UserKey
        var head: String
        var clientID: String
    }

    var sources: [String: [String: LabelSource]] = [:]  // tenant → source → value
    var predictions: [PredictionKey: (sequence: Int, prediction: LabelPrediction)] = [:]
    var nextSequence = 1

    mutating func forget(_ user: UserKey) {
        for (tenant, bySource) in sources where tenant == user.tenant {
            sources[tenant] = bySource.filter { $0.value.userID != user.userID }
        }
        predictions = predictions.filter { $0.key.user != user }
    }
}

extension InMemoryPreferenceStore {
    public func labelSource(_ source: String, tenant: String) async throws -> LabelSource? {
        try Validation.identifier(tenant, "tenant")
        try Validation.identifier(source, "label source")
        return ledger.sources[tenant]?[source]
    }

    public func saveLabelSource(_ source: String, tenant: String, _ value: LabelSource) async throws {
        try Validation.user(UserKey(tenant: tenant, userID: value.userID))
        try Validation.identifier(source, "label source")
        for id in value.clientIDs { try Validation.identifier(id, "comparison id") }
        ledger.sources[tenant, default: [:]][source] = LabelSource(userID: value.userID, clientIDs: value.clientIDs.sorted())
    }

    public func deleteLabelSource(_ source: String, tenant: String) async throws {
        try Validation.identifier(tenant, "tenant")
        try Validation.identifier(source, "label source")
        ledger.sources[tenant]?[source] = nil
    }

    public func recordPredictions(_ predictions: [LabelPrediction], for user: UserKey, replacing: Bool) async throws {
        try Validation.user(user)
        try Validation.predictions(predictions)
        for p in predictions {
            let key = MemoryLedger.PredictionKey(user: user, head: p.head, clientID: p.clientID)
            if !replacing, ledger.predictions[key] != nil { continue }
            ledger.predictions[key] = (ledger.nextSequence, p)
            ledger.nextSequence += 1
        }
    }

    public func predictionStats(for user: UserKey, head: String, window: Int) async throws -> PredictionStats {
        try Validation.user(user)
        try Validation.identifier(head, "head")
        var live: [(Int, LabelPrediction)] = []
        for (key, value) in ledger.predictions where key.user == user && key.head == head {
            if try await comparison(clientID: key.clientID, for: user) != nil { live.append(value) }
        }
        live.sort { $0.0 > $1.0 }
        let recent = live.prefix(max(1, window))
        let loss = live.isEmpty ? nil : live.map { -log(max($0.1.pChosen, 1e-12)) }.reduce(0, +) / Double(live.count)
        return PredictionStats(
            total: live.count, correct: live.filter { $0.1.pChosen > 0.5 }.count, recentTotal: recent.count,
            recentCorrect: recent.filter { $0.1.pChosen > 0.5 }.count, meanLogLoss: loss,
            personalized: live.filter { $0.1.stateVersion > 0 }.count)
    }
}
