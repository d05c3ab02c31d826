import Foundation

extension PostgresPreferenceStore {
    public func appendComparisons(_ batch: [NewComparison], for user: UserKey) async throws -> AppendResult {
        try Validation.user(user)
        let (unique, slot) = try Validation.normalizedBatch(batch)  // ids assigned here, so retries are idempotent
        guard !unique.isEmpty else { return AppendResult(comparisons: [], insertedCount: 0) }
        let parameters = Self.batchParameters(unique, user: user)
        let stored = try await pool.withConnection(idempotent: true) { [parameters] connection, deadline in
            do {
                return try connection.transaction(deadline: deadline) {
                    try Self.insertBatch(unique, user: user, parameters: parameters, statement: SQL.appendFresh, connection, deadline)
                }
            } catch let error as PreferenceStoreError where error.sqlState == "23505" {
                // Some ids exist already (a retry, or overlapping batches): the idempotent path.
                return try connection.transaction(deadline: deadline) {
                    try Self.insertBatch(unique, user: user, parameters: parameters, statement: SQL.appendBatch, connection, deadline)
                }
            }
        }
        return AppendResult(comparisons: slot.map { stored.rows[$0] }, insertedCount: stored.inserted)
    }

    /// Inserts new rows; rows whose id exists must match in content (else the transaction rolls back with
    /// `.conflict`). Runs inside a transaction; READ COMMITTED lets the second statement see rows a concurrent
    /// batch committed while `ON CONFLICT` waited for it.
    static func insertBatch(
        _ unique: [NewComparison], user: UserKey, parameters: PGParameters, statement: PreparedStatement,
        _ connection: PGConnection, _ deadline: Deadline
    ) throws -> (rows: [StoredComparison], inserted: Int) {
        let inserted = try connection.query(statement, parameters, deadline: deadline)
        var byID: [String: StoredComparison] = [:]
        byID.reserveCapacity(unique.count)
        let index = Dictionary(uniqueKeysWithValues: unique.enumerated().map { ($1.clientID!, $0) })
        for row in 0..<inserted.rowCount {
            let id = inserted.string(row, 1)
            guard let position = index[id] else { continue }
            byID[id] = StoredComparison(unique[position], clientID: id, sequence: try inserted.int64(row, 0),
                                        createdAt: try inserted.date(row, 2), updatedAt: try inserted.date(row, 3))
        }
        let insertedCount = byID.count
        if insertedCount < unique.count {
            let missing = unique.compactMap { byID[$0.clientID!] == nil ? $0.clientID : nil }
            var lookup = userParameters(user)
            lookup.append(texts: missing)
            let existing = try connection.query(SQL.existingByClientID, lookup, deadline: deadline)
            for row in 0..<existing.rowCount {
                let stored = try decodeComparison(existing, row: row)
                guard let position = index[stored.clientID] else { continue }
                guard stored.hasSameContent(as: unique[position]) else {
                    throw PreferenceStoreError(.conflict, "comparison id already stored with different content")
                }
                byID[stored.clientID] = stored
            }
            guard byID.count == unique.count else {
                // Nothing was inserted and nothing found: the tenant row is missing.
                throw PreferenceStoreError(.notFound, "unknown tenant")
            }
        }
        return (unique.map { byID[$0.clientID!]! }, insertedCount)
    }

    static func batchParameters(_ unique: [NewComparison], user: UserKey) -> PGParameters {
        let featureBytes = unique.reduce(0) { $0 + ($1.prompt?.count ?? 0) + $1.chosen.count + $1.rejected.count } * 4
        var parameters = PGParameters(reservingBytes: featureBytes + unique.count * 128 + 256)
        parameters.append(user.tenant)
        parameters.append(user.userID)
        parameters.append(texts: unique.map(\.clientID))
        parameters.append(texts: unique.map(\.featureSpace))
        parameters.append(featureArrays: unique.map(\.prompt))
        parameters.append(featureArrays: unique.map(\.chosen))
        parameters.append(featureArrays: unique.map(\.rejected))
        parameters.append(texts: unique.map(\.promptText))
        parameters.append(texts: unique.map(\.chosenText))
        parameters.append(texts: unique.map(\.rejectedText))
        parameters.append(float8s: unique.map(\.weight))
        parameters.append(texts: unique.map(\.source))
        return parameters
    }

    public func replaceComparison(clientID: String, with replacement: NewComparison, for user: UserKey) async throws
        -> StoredComparison
    {
        try Validation.user(user)
        try Validation.identifier(clientID, "comparison id")
        try Validation.comparison(replacement)
        guard replacement.clientID == nil || replacement.clientID == clientID else {
            throw PreferenceStoreError(.invalidInput, "replacement carries a different comparison id")
        }
        var parameters = Self.userParameters(user)
        parameters.append(clientID)
        parameters.append(replacement.featureSpace)
        parameters.append(features: replacement.prompt)
        parameters.append(features: replacement.chosen)
        parameters.append(features: replacement.rejected)
        parameters.append(replacement.promptText)
        parameters.append(replacement.chosenText)
        parameters.append(replacement.rejectedText)
        parameters.append(replacement.weight)
        parameters.append(replacement.source)
        // Idempotent: replaying the same replacement leaves the same content.
        let row: StoredComparison? = try await pool.withConnection(idempotent: true) { [parameters] connection, deadline in
            let result = try connection.query(SQL.replaceComparison, parameters, deadline: deadline)
            return result.rowCount == 0 ? nil : try Self.decodeComparison(result, row: 0)
        }
        guard let row else { throw PreferenceStoreError(.notFound, "no comparison with that id") }
        return row
    }

    public func deleteComparison(clientID: String, for user: UserKey) async throws {
        try Validation.user(user)
        try Validation.identifier(clientID, "comparison id")
        var parameters = Self.userParameters(user)
        parameters.append(clientID)
        let deleted = try await pool.withConnection(idempotent: false) { [parameters] connection, deadline in
            try connection.query(SQL.deleteComparison, parameters, deadline: deadline).affectedRows
        }
        guard deleted > 0 else { throw PreferenceStoreError(.notFound, "no comparison with that id") }
    }

    public func comparison(clientID: String, for user: UserKey) async throws -> StoredComparison? {
        try Validation.user(user)
        try Validation.identifier(clientID, "comparison id")
        var parameters = Self.userParameters(user)
        parameters.append(clientID)
        return try await pool.withConnection(idempotent: true) { [parameters] connection, deadline in
            let result = try connection.query(SQL.comparisonByClientID, parameters, deadline: deadline)
            return result.rowCount == 0 ? nil : try Self.decodeComparison(result, row: 0)
        }
    }

    public func history(_ query: HistoryQuery) async throws -> HistoryPage {
        try Validation.history(query)
        var parameters = Self.userParameters(query.user)
        parameters.append(query.featureSpace)
        switch query.order {
        case .oldestFirst: parameters.append(query.after?.position ?? 0)
        case .newestFirst: parameters.append(query.after?.position ?? Int64.max)
        }
        parameters.append(Int64(query.limit + 1))  // one extra row tells whether a next page exists
        let statement = query.order == .oldestFirst ? SQL.historyAscending : SQL.historyDescending
        let rows = try await pool.withConnection(idempotent: true) { [parameters] connection, deadline in
            let result = try connection.query(statement, parameters, deadline: deadline)
            return try (0..<result.rowCount).map { try Self.decodeComparison(result, row: $0) }
        }
        let page = Array(rows.prefix(query.limit))
        let next = rows.count > query.limit ? page.last.map { Cursor(position: $0.sequence) } : nil
        return HistoryPage(comparisons: page, nextCursor: next)
    }

    /// Decodes a row selected with `SQL.comparisonColumns`.
    static func decodeComparison(_ r: PGResult, row: Int) throws -> StoredComparison {
        StoredComparison(
            sequence: try r.int64(row, 0), clientID: r.string(row, 1), featureSpace: r.string(row, 2),
            prompt: try r.optionalFeatures(row, 3), chosen: try r.features(row, 4), rejected: try r.features(row, 5),
            promptText: r.optionalString(row, 6), chosenText: r.optionalString(row, 7),
            rejectedText: r.optionalString(row, 8), weight: try r.double(row, 9), source: r.optionalString(row, 10),
            createdAt: try r.date(row, 11), updatedAt: try r.date(row, 12))
    }
}
