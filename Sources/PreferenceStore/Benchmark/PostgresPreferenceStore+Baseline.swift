import Foundation

/// The benchmark's COPY baselines: the same rows, the same table, no idempotency checks.
extension PostgresPreferenceStore {
    static let copyColumns = "tenant, user_id, client_id, feature_space, prompt_features, chosen_features, rejected_features, weight, source"

    func copyBaseline(_ batch: [NewComparison], user: UserKey) async throws {
        try await pool.withConnection(idempotent: false) { connection, deadline in
            try connection.transaction(deadline: deadline) {
                let data = Self.copyData(batch, user: user)
                _ = try connection.copyIn("COPY comparisons (\(Self.copyColumns)) FROM STDIN (FORMAT binary)", data: data, deadline: deadline)
            }
        }
    }

    /// COPY from files the server reads itself (superuser only): all rows in one transaction, or one file and
    /// transaction per batch. Returns the seconds the COPY statements took (writing the files is not timed).
    func serverFileCopy(_ batches: [[NewComparison]], user: UserKey, oneTransaction: Bool) async throws -> Double {
        let groups = oneTransaction ? [batches.flatMap { $0 }] : batches
        let paths = groups.map { _ in NSTemporaryDirectory() + "reward-bench-\(UUID().uuidString).copy" }
        defer { paths.forEach { try? FileManager.default.removeItem(atPath: $0) } }
        for (path, rows) in zip(paths, groups) {
            guard FileManager.default.createFile(atPath: path, contents: Data(Self.copyData(rows, user: user)),
                                                 attributes: [.posixPermissions: 0o644])
            else { throw PreferenceStoreError(.internalError, "cannot write \(path)") }
        }
        return try await pool.withConnection(idempotent: false) { connection, deadline in
            let start = ContinuousClock.now
            for path in paths {
                try connection.transaction(deadline: deadline) {
                    // COPY cannot take its file name as a parameter; the path is ours (a UUID in the temp directory).
                    try connection.execute(script: "COPY comparisons (\(Self.copyColumns)) FROM '\(path)' (FORMAT binary)", deadline: deadline)
                }
            }
            return StoreBenchmark.seconds(ContinuousClock.now - start)
        }
    }

    static func copyData(_ batch: [NewComparison], user: UserKey) -> [UInt8] {
        let dimension = batch.first?.chosen.count ?? 0
        var copy = PGCopyBinary(reservingBytes: batch.count * (dimension * 12 + 128))
        for c in batch {
            copy.beginRow(fields: 9)
            copy.append(user.tenant)
            copy.append(user.userID)
            copy.append(c.clientID)
            copy.append(c.featureSpace)
            copy.append(features: c.prompt)
            copy.append(features: c.chosen)
            copy.append(features: c.rejected)
            copy.append(c.weight)
            copy.append(c.source)
        }
        copy.finish()
        return copy.bytes
    }
}
