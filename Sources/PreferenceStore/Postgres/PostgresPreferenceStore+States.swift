import Foundation

extension PostgresPreferenceStore {
    public func loadState(for user: UserKey, head: String) async throws -> UserState? {
        try Validation.user(user)
        try Validation.identifier(head, "head")
        var parameters = Self.userParameters(user)
        parameters.append(head)
        return try await pool.withConnection(idempotent: true) { [parameters] connection, deadline in
            let result = try connection.query(SQL.loadState, parameters, deadline: deadline)
            return result.rowCount == 0 ? nil : try Self.decodeState(result, row: 0, tenant: user.tenant)
        }
    }

    public func loadStates(for user: UserKey) async throws -> [UserState] {
        try Validation.user(user)
        let parameters = Self.userParameters(user)
        return try await pool.withConnection(idempotent: true) { [parameters] connection, deadline in
            let result = try connection.query(SQL.loadStates, parameters, deadline: deadline)
            return try (0..<result.rowCount).map { try Self.decodeState(result, row: $0, tenant: user.tenant) }
        }
    }

    public func staleStates(head: String, currentVersion: String, after: UserKey?, limit: Int) async throws -> [UserKey] {
        try Validation.identifier(head, "head")
        var parameters = PGParameters()
        parameters.append(head)
        parameters.append(currentVersion)
        // ("", "") sorts before every key: tenants and user ids are never empty.
        parameters.append(after?.tenant ?? "")
        parameters.append(after?.userID ?? "")
        parameters.append(Int64(max(0, limit)))
        return try await pool.withConnection(idempotent: true) { [parameters] connection, deadline in
            let result = try connection.query(SQL.staleStates, parameters, deadline: deadline)
            return (0..<result.rowCount).map { UserKey(tenant: result.string($0, 0), userID: result.string($0, 1)) }
        }
    }

    public func saveState(_ draft: UserStateDraft, expectedVersion: Int64?) async throws -> UserState {
        try Validation.state(draft)
        var parameters = Self.userParameters(draft.user)
        parameters.append(draft.head)
        parameters.append(draft.headVersion)
        parameters.append(draft.theta)
        parameters.append(draft.precision)
        parameters.append(Int64(draft.comparisonCount))
        if let expectedVersion { parameters.append(expectedVersion) }
        let statement = expectedVersion == nil ? SQL.insertState : SQL.updateState
        let saved: UserState? = try await pool.withConnection(idempotent: false) { [parameters] connection, deadline in
            let result = try connection.query(statement, parameters, deadline: deadline)
            return result.rowCount == 0 ? nil : try Self.decodeState(result, row: 0, tenant: draft.user.tenant)
        }
        if let saved { return saved }
        if expectedVersion == nil, try await !tenantExists(draft.user.tenant) {
            throw PreferenceStoreError(.notFound, "unknown tenant")
        }
        throw PreferenceStoreError(.conflict, "user state version moved (expected \(expectedVersion.map(String.init) ?? "none"))")
    }

    public func deleteUser(_ user: UserKey) async throws -> DeletedUser {
        try Validation.user(user)
        let parameters = Self.userParameters(user)
        // One statement: both deletes and the NOTIFY commit together.
        return try await pool.withConnection(idempotent: true) { [parameters] connection, deadline in
            let result = try connection.query(SQL.deleteUser, parameters, deadline: deadline)
            return DeletedUser(comparisons: Int(try result.int64(0, 0)), states: Int(try result.int64(0, 1)))
        }
    }

    public func counts(for user: UserKey) async throws -> UserCounts {
        try Validation.user(user)
        let parameters = Self.userParameters(user)
        return try await pool.withConnection(idempotent: true) { [parameters] connection, deadline in
            try connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", deadline: deadline)
            defer { connection.rollbackOrClose() }
            let spaces = try connection.query(SQL.countComparisons, parameters, deadline: deadline)
            var bySpace: [String: Int] = [:]
            for row in 0..<spaces.rowCount { bySpace[spaces.string(row, 0)] = Int(try spaces.int64(row, 1)) }
            let states = try connection.query(SQL.countStates, parameters, deadline: deadline)
            return UserCounts(comparisons: bySpace.values.reduce(0, +), comparisonsByFeatureSpace: bySpace,
                              states: Int(try states.int64(0, 0)))
        }
    }

    func tenantExists(_ tenant: String) async throws -> Bool {
        var parameters = PGParameters()
        parameters.append(tenant)
        return try await pool.withConnection(idempotent: true) { [parameters] connection, deadline in
            try connection.query(SQL.tenantExists, parameters, deadline: deadline).rowCount > 0
        }
    }

    static func decodeState(_ result: PGResult, row: Int, tenant: String) throws -> UserState {
        UserState(
            user: UserKey(tenant: tenant, userID: result.string(row, 0)), head: result.string(row, 1),
            headVersion: result.string(row, 2), theta: try result.doubles(row, 3),
            precision: try result.optionalDoubles(row, 4), comparisonCount: Int(try result.int64(row, 5)),
            version: try result.int64(row, 6), updatedAt: try result.date(row, 7))
    }
}
