import Foundation

extension PostgresPreferenceStore: APIKeyStore {
    public func createAPIKey(_ key: NewAPIKey, ifAbsent: Bool) async throws -> APIKeyRecord? {
        try Validation.apiKey(key)
        var tenant = PGParameters()
        tenant.append(key.tenant)
        var parameters = PGParameters()
        parameters.append(key.id)
        parameters.append(key.tenant)
        parameters.append(bytes: key.keyHash)
        parameters.append(texts: key.scopes)
        parameters.append(key.label)
        // Not idempotent as a whole (the caller must learn whether *this* call created the key): no retry.
        let created: APIKeyRecord? = try await pool.withConnection(idempotent: false) { [tenant, parameters] connection, deadline in
            try connection.transaction(deadline: deadline) {
                _ = try connection.query(SQL.ensureTenant, tenant, deadline: deadline)
                let result = try connection.query(APIKeySQL.insert, parameters, deadline: deadline)
                return result.rowCount == 0 ? nil : try Self.decodeKey(result, row: 0)
            }
        }
        if created == nil && !ifAbsent { throw PreferenceStoreError(.conflict, "a key with id \(key.id) exists") }
        return created
    }

    public func apiKeys(includeRevoked: Bool) async throws -> [APIKeyRecord] {
        let sql = includeRevoked ? APIKeySQL.listAll : APIKeySQL.listActive
        return try await pool.withConnection(idempotent: true) { connection, deadline in
            let result = try connection.query(sql, PGParameters(), deadline: deadline)
            return try (0..<result.rowCount).map { try Self.decodeKey(result, row: $0) }
        }
    }

    public func apiKey(id: String) async throws -> APIKeyRecord? {
        try Validation.apiKeyID(id)
        var parameters = PGParameters()
        parameters.append(id)
        return try await pool.withConnection(idempotent: true) { [parameters] connection, deadline in
            let result = try connection.query(APIKeySQL.byID, parameters, deadline: deadline)
            return result.rowCount == 0 ? nil : try Self.decodeKey(result, row: 0)
        }
    }

    public func revokeAPIKey(id: String) async throws -> APIKeyRecord {
        try Validation.apiKeyID(id)
        var parameters = PGParameters()
        parameters.append(id)
        let revoked: APIKeyRecord? = try await pool.withConnection(idempotent: true) { [parameters] connection, deadline in
            let result = try connection.query(APIKeySQL.revoke, parameters, deadline: deadline)
            return result.rowCount == 0 ? nil : try Self.decodeKey(result, row: 0)
        }
        guard let revoked else { throw PreferenceStoreError(.notFound, "no key with id \(id)") }
        return revoked
    }

    public func recordAPIKeyUse(ids: [String]) async throws {
        guard !ids.isEmpty else { return }
        var parameters = PGParameters()
        parameters.append(texts: ids)
        try await pool.withConnection(idempotent: true) { [parameters] connection, deadline in
            _ = try connection.query(APIKeySQL.touch, parameters, deadline: deadline)
        }
    }

    static func decodeKey(_ result: PGResult, row: Int) throws -> APIKeyRecord {
        APIKeyRecord(
            id: result.string(row, 0), tenant: result.string(row, 1),
            scopes: result.string(row, 3).split(separator: ",").map(String.init), keyHash: Array(result.bytes(row, 2)),
            label: result.optionalString(row, 4),
            createdAt: try result.date(row, 5), revokedAt: try result.optionalDate(row, 6), lastUsedAt: try result.optionalDate(row, 7))
    }
}

/// The key statements. Scopes come back comma-joined (scope names cannot contain commas).
enum APIKeySQL {
    static let columns = "id, tenant, key_hash, array_to_string(scopes, ','), label, created_at, revoked_at, last_used_at"

    static let insert = """
        INSERT INTO api_keys (id, tenant, key_hash, scopes, label) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (id) DO NOTHING RETURNING \(columns)
        """
    static let listAll = PreparedStatement(name: "api_keys_all_v1", sql: "SELECT \(columns) FROM api_keys ORDER BY created_at, id")
    /// Every replica reads this about once a second (the authenticator's snapshot): prepared once per connection.
    static let listActive = PreparedStatement(
        name: "api_keys_active_v1", sql: "SELECT \(columns) FROM api_keys WHERE revoked_at IS NULL ORDER BY created_at, id")
    static let byID = "SELECT \(columns) FROM api_keys WHERE id = $1"
    static let revoke = "UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING \(columns)"
    static let touch = "UPDATE api_keys SET last_used_at = now() WHERE id = ANY($1::text[])"
}
