import Foundation

extension PostgresPreferenceStore {
    public func labelSource(_ source: String, tenant: String) async throws -> LabelSource? {
        try Validation.identifier(tenant, "tenant")
        try Validation.identifier(source, "label source")
        var parameters = PGParameters()
        parameters.append(tenant)
        parameters.append(source)
        return try await pool.withConnection(idempotent: true) { [parameters] connection, deadline in
            let result = try connection.query(LabelSQL.loadSource, parameters, deadline: deadline)
            guard result.rowCount > 0 else { return nil }
            let ids = (0..<result.rowCount).map { result.string($0, 1) }.filter { !$0.isEmpty }
            return LabelSource(userID: result.string(0, 0), clientIDs: ids)
        }
    }

    public func saveLabelSource(_ source: String, tenant: String, _ value: LabelSource) async throws {
        try Validation.user(UserKey(tenant: tenant, userID: value.userID))
        try Validation.identifier(source, "label source")
        for id in value.clientIDs { try Validation.identifier(id, "comparison id") }
        var parameters = PGParameters()
        parameters.append(tenant)
        parameters.append(source)
        parameters.append(value.userID)
        parameters.append(texts: value.clientIDs.map(Optional.some))
        try await pool.withConnection(idempotent: true) { [parameters] connection, deadline in
            try connection.transaction(deadline: deadline) {
                _ = try connection.query(LabelSQL.clearSource, parameters, deadline: deadline)
                _ = try connection.query(LabelSQL.saveSource, parameters, deadline: deadline)
            }
        }
    }

    public func deleteLabelSource(_ source: String, tenant: String) async throws {
        try Validation.identifier(tenant, "tenant")
        try Validation.identifier(source, "label source")
        var parameters = PGParameters()
        parameters.append(tenant)
        parameters.append(source)
        try await pool.withConnection(idempotent: true) { [parameters] connection, deadline in
            _ = try connection.query(LabelSQL.deleteSource, parameters, deadline: deadline)
        }
    }

    public func recordPredictions(_ predictions: [LabelPrediction], for user: UserKey, replacing: Bool) async throws {
        try Validation.user(user)
        try Validation.predictions(predictions)
        guard !predictions.isEmpty else { return }
        var parameters = Self.userParameters(user)
        parameters.append(texts: predictions.map { Optional($0.clientID) })
        parameters.append(texts: predictions.map { Optional($0.head) })
        parameters.append(float8s: predictions.map(\.pChosen))
        parameters.append(float8s: predictions.map { Double($0.stateVersion) })
        let statement = replacing ? LabelSQL.replacePredictions : LabelSQL.recordPredictions
        try await pool.withConnection(idempotent: true) { [parameters] connection, deadline in
            _ = try connection.query(statement, parameters, deadline: deadline)
        }
    }

    public func predictionStats(for user: UserKey, head: String, window: Int) async throws -> PredictionStats {
        try Validation.user(user)
        try Validation.identifier(head, "head")
        var parameters = Self.userParameters(user)
        parameters.append(head)
        parameters.append(Int64(max(1, window)))
        return try await pool.withConnection(idempotent: true) { [parameters] connection, deadline in
            let r = try connection.query(LabelSQL.stats, parameters, deadline: deadline)
            return PredictionStats(
                total: Int(try r.int64(0, 0)), correct: Int(try r.int64(0, 1)), recentTotal: Int(try r.int64(0, 2)),
                recentCorrect: Int(try r.int64(0, 3)), meanLogLoss: r.isNull(0, 4) ? nil : try r.double(0, 4),
                personalized: Int(try r.int64(0, 5)))
        }
    }
}

/// Statements of the label ledger (migration 5's tables).
enum LabelSQL {
    static let loadSource = PreparedStatement(name: "label_source_load_v1", sql: """
        SELECT user_id, client_id FROM label_sources WHERE tenant = $1 AND source = $2 ORDER BY client_id
        """)

    /// One row per produced comparison; a label that produced none keeps one row with an empty id (its user).
    /// Two statements in one transaction (a data-modifying CTE would not let the insert see the delete).
    static let clearSource = PreparedStatement(name: "label_source_clear_v1", sql: """
        DELETE FROM label_sources WHERE tenant = $1 AND source = $2 AND $3::text IS NOT NULL AND $4::text[] IS NOT NULL
        """)

    static let saveSource = PreparedStatement(name: "label_source_save_v1", sql: """
        INSERT INTO label_sources (tenant, source, user_id, client_id)
        SELECT $1, $2, $3, id FROM unnest($4::text[]) AS id
        UNION ALL SELECT $1, $2, $3, '' WHERE cardinality($4::text[]) = 0
        """)

    static let deleteSource = PreparedStatement(name: "label_source_delete_v1", sql: """
        DELETE FROM label_sources WHERE tenant = $1 AND source = $2
        """)

    static let recordPredictions = PreparedStatement(name: "label_predictions_record_v1", sql: """
        INSERT INTO label_predictions (tenant, user_id, client_id, head, p_chosen, state_version)
        SELECT $1, $2, c, h, p, v::bigint FROM unnest($3::text[], $4::text[], $5::float8[], $6::float8[]) AS t(c, h, p, v)
        ON CONFLICT (tenant, user_id, head, client_id) DO NOTHING
        """)

    static let replacePredictions = PreparedStatement(name: "label_predictions_replace_v1", sql: """
        INSERT INTO label_predictions (tenant, user_id, client_id, head, p_chosen, state_version)
        SELECT $1, $2, c, h, p, v::bigint FROM unnest($3::text[], $4::text[], $5::float8[], $6::float8[]) AS t(c, h, p, v)
        ON CONFLICT (tenant, user_id, head, client_id) DO UPDATE
            SET p_chosen = EXCLUDED.p_chosen, state_version = EXCLUDED.state_version,
                seq = nextval('label_predictions_seq_seq'), created_at = now()
        """)

    /// Only predictions whose comparison still exists count (a deleted label takes its prediction with it).
    static let stats = PreparedStatement(name: "label_predictions_stats_v1", sql: """
        WITH p AS (
            SELECT p.seq, p.p_chosen, p.state_version FROM label_predictions p
            JOIN comparisons c ON c.tenant = p.tenant AND c.user_id = p.user_id AND c.client_id = p.client_id
            WHERE p.tenant = $1 AND p.user_id = $2 AND p.head = $3
        ), recent AS (SELECT p_chosen FROM p ORDER BY seq DESC LIMIT $4)
        SELECT (SELECT count(*) FROM p), (SELECT count(*) FROM p WHERE p_chosen > 0.5),
               (SELECT count(*) FROM recent), (SELECT count(*) FROM recent WHERE p_chosen > 0.5),
               (SELECT avg(-ln(greatest(p_chosen, 1e-12))) FROM p),
               (SELECT count(*) FROM p WHERE state_version > 0)
        """)
}

extension Migration {
    /// Version 5: the label ledger (integrations) and prequential predictions.
    static let labelLedger = Migration(version: 5, name: "label sources and prequential predictions", sql: """
        -- Which comparisons an annotation tool's label produced, and whose: deletions from the tools name only
        -- the label. One row per comparison (client_id '' for a label that produced none).
        CREATE TABLE label_sources (
            tenant      text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
            source      text NOT NULL,
            user_id     text NOT NULL,
            client_id   text NOT NULL,
            created_at  timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (tenant, source, client_id)
        );
        CREATE INDEX label_sources_user_idx ON label_sources (tenant, user_id);

        -- The prediction the service would have made for each label just before storing it (prequential).
        CREATE TABLE label_predictions (
            seq            bigserial,
            tenant         text NOT NULL,
            user_id        text NOT NULL,
            client_id      text NOT NULL,
            head           text NOT NULL,
            p_chosen       float8 NOT NULL CHECK (p_chosen >= 0 AND p_chosen <= 1),
            state_version  bigint NOT NULL,
            created_at     timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (tenant, user_id, head, client_id)
        );
        """)
}
