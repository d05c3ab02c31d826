/// Input checks shared by every implementation, so both reject exactly the same values.
enum Validation {
    static let maxIdentifierBytes = 256
    static let maxTextBytes = 1 << 20
    static let maxFeatureDimension = 65_536
    static let maxBatch = 10_000

    static func identifier(_ value: String, _ name: String) throws {
        let bytes = value.utf8.count
        guard bytes > 0, bytes <= maxIdentifierBytes else {
            throw PreferenceStoreError(.invalidInput, "\(name) must be 1…\(maxIdentifierBytes) UTF-8 bytes")
        }
        guard !value.utf8.contains(0) else { throw PreferenceStoreError(.invalidInput, "\(name) contains NUL") }
    }

    static func user(_ user: UserKey) throws {
        try identifier(user.tenant, "tenant")
        try identifier(user.userID, "user id")
    }

    static func text(_ value: String?, _ name: String) throws {
        guard let value else { return }
        guard value.utf8.count <= maxTextBytes else {
            throw PreferenceStoreError(.invalidInput, "\(name) is longer than \(maxTextBytes) bytes")
        }
        guard !value.utf8.contains(0) else { throw PreferenceStoreError(.invalidInput, "\(name) contains NUL") }
    }

    static func comparison(_ c: NewComparison) throws {
        if let id = c.clientID { try identifier(id, "comparison id") }
        try identifier(c.featureSpace, "feature space")
        let dim = c.chosen.count
        guard dim > 0, dim <= maxFeatureDimension, c.rejected.count == dim else {
            throw PreferenceStoreError(.invalidInput, "chosen and rejected features need one dimension in 1…\(maxFeatureDimension)")
        }
        // A head's prompt input has its own width (a GPM prompt head, a MiCRo router): not the items'.
        guard (c.prompt?.count ?? 1) > 0, (c.prompt?.count ?? 1) <= maxFeatureDimension else {
            throw PreferenceStoreError(.invalidInput, "prompt features need a dimension in 1…\(maxFeatureDimension)")
        }
        guard c.chosen.allSatisfy(\.isFinite), c.rejected.allSatisfy(\.isFinite), c.prompt?.allSatisfy(\.isFinite) ?? true
        else { throw PreferenceStoreError(.invalidInput, "features must be finite") }
        guard c.weight.isFinite, c.weight >= 0 else { throw PreferenceStoreError(.invalidInput, "weight must be finite and ≥ 0") }
        try text(c.promptText, "prompt text")
        try text(c.chosenText, "chosen text")
        try text(c.rejectedText, "rejected text")
        if let source = c.source { try identifier(source, "source") }
    }

    static func state(_ d: UserStateDraft) throws {
        try user(d.user)
        try identifier(d.head, "head")
        try identifier(d.headVersion, "head version")
        guard !d.theta.isEmpty, d.theta.count <= 4096, d.theta.allSatisfy(\.isFinite) else {
            throw PreferenceStoreError(.invalidInput, "theta must have 1…4096 finite values")
        }
        if let p = d.precision {
            guard p.count == d.theta.count * d.theta.count, p.allSatisfy(\.isFinite) else {
                throw PreferenceStoreError(.invalidInput, "precision must be K×K finite values")
            }
        }
        guard d.comparisonCount >= 0, d.comparisonCount <= Int(Int32.max) else {
            throw PreferenceStoreError(.invalidInput, "comparison count out of range")
        }
    }

    static func history(_ q: HistoryQuery) throws {
        try user(q.user)
        if let space = q.featureSpace { try identifier(space, "feature space") }
        guard (1...HistoryQuery.maxLimit).contains(q.limit) else {
            throw PreferenceStoreError(.invalidInput, "limit must be 1…\(HistoryQuery.maxLimit)")
        }
    }

    /// Assigns missing client ids and collapses in-batch repeats: the same id twice with the same content is
    /// one comparison; with different content it is a conflict. Returns the unique comparisons and, per input,
    /// the index of its unique comparison.
    static func normalizedBatch(_ batch: [NewComparison]) throws -> (unique: [NewComparison], slot: [Int]) {
        guard batch.count <= maxBatch else {
            throw PreferenceStoreError(.invalidInput, "a batch holds at most \(maxBatch) comparisons")
        }
        var unique: [NewComparison] = []
        var slot: [Int] = []
        var indexByID: [String: Int] = [:]
        unique.reserveCapacity(batch.count)
        for var c in batch {
            try comparison(c)
            let id = c.clientID ?? UUIDFactory.make()
            c.clientID = id
            if let existing = indexByID[id] {
                let probe = StoredComparison(unique[existing], clientID: id, sequence: 0, createdAt: .distantPast, updatedAt: .distantPast)
                guard probe.hasSameContent(as: c) else {
                    throw PreferenceStoreError(.conflict, "comparison id repeated with different content in one batch")
                }
                slot.append(existing)
            } else {
                indexByID[id] = unique.count
                slot.append(unique.count)
                unique.append(c)
            }
        }
        return (unique, slot)
    }
}
