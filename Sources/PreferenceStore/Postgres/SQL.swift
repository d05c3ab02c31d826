/// Every statement the store runs. Values are always `$n` parameters with explicit types.
enum SQL {
    static let comparisonColumns = """
        id, client_id, feature_space, prompt_features, chosen_features, rejected_features,
        prompt_text, chosen_text, rejected_text, weight, source, created_at, updated_at
        """

    /// The hot path: one statement inserts a whole batch from binary arrays (one round trip, one plan).
    /// The unnests sit in the select list (ProjectSet, streamed in lockstep) rather than in FROM, where a
    /// multi-array unnest is a FunctionScan that first copies every array into a tuplestore.
    /// Rows whose client id exists are skipped here and checked by `existingByClientID`.
    static let appendBatch = PreparedStatement(name: "append_batch_v2", sql: """
        INSERT INTO comparisons (tenant, user_id, client_id, feature_space, prompt_features, chosen_features,
                                 rejected_features, prompt_text, chosen_text, rejected_text, weight, source)
        SELECT $1, $2, unnest($3::text[]), unnest($4::text[]), unnest($5::bytea[]), unnest($6::bytea[]),
               unnest($7::bytea[]), unnest($8::text[]), unnest($9::text[]), unnest($10::text[]),
               unnest($11::float8[]), unnest($12::text[])
        WHERE EXISTS (SELECT 1 FROM tenants WHERE id = $1)
        ON CONFLICT (tenant, user_id, client_id) DO NOTHING
        RETURNING id, client_id, created_at, updated_at
        """)

    /// Fast path for batches of new ids (the common case): a plain INSERT, no speculative insertion.
    /// A duplicate id fails it with 23505 and the caller falls back to `appendBatch`.
    static let appendFresh = PreparedStatement(name: "append_fresh_v2", sql: """
        INSERT INTO comparisons (tenant, user_id, client_id, feature_space, prompt_features, chosen_features,
                                 rejected_features, prompt_text, chosen_text, rejected_text, weight, source)
        SELECT $1, $2, unnest($3::text[]), unnest($4::text[]), unnest($5::bytea[]), unnest($6::bytea[]),
               unnest($7::bytea[]), unnest($8::text[]), unnest($9::text[]), unnest($10::text[]),
               unnest($11::float8[]), unnest($12::text[])
        WHERE EXISTS (SELECT 1 FROM tenants WHERE id = $1)
        RETURNING id, client_id, created_at, updated_at
        """)

    static let existingByClientID = PreparedStatement(name: "existing_by_client_id_v1", sql: """
        SELECT \(comparisonColumns) FROM comparisons
        WHERE tenant = $1 AND user_id = $2 AND client_id = ANY($3::text[])
        """)

    static let tenantExists = PreparedStatement(name: "tenant_exists_v1", sql: "SELECT 1 FROM tenants WHERE id = $1")

    static let ensureTenant = "INSERT INTO tenants (id) VALUES ($1) ON CONFLICT (id) DO NOTHING"

    static let replaceComparison = """
        UPDATE comparisons SET feature_space = $4, prompt_features = $5, chosen_features = $6,
               rejected_features = $7, prompt_text = $8, chosen_text = $9, rejected_text = $10,
               weight = $11, source = $12, updated_at = now()
        WHERE tenant = $1 AND user_id = $2 AND client_id = $3
        RETURNING \(comparisonColumns)
        """

    static let deleteComparison = "DELETE FROM comparisons WHERE tenant = $1 AND user_id = $2 AND client_id = $3"

    static let comparisonByClientID = PreparedStatement(name: "comparison_by_client_id_v1", sql: """
        SELECT \(comparisonColumns) FROM comparisons WHERE tenant = $1 AND user_id = $2 AND client_id = $3
        """)

    /// Keyset pages: ($3 feature space or NULL, $4 cursor position, $5 limit).
    static let historyAscending = PreparedStatement(name: "history_asc_v1", sql: """
        SELECT \(comparisonColumns) FROM comparisons
        WHERE tenant = $1 AND user_id = $2 AND id > $4 AND ($3::text IS NULL OR feature_space = $3)
        ORDER BY id ASC LIMIT $5
        """)

    static let historyDescending = PreparedStatement(name: "history_desc_v1", sql: """
        SELECT \(comparisonColumns) FROM comparisons
        WHERE tenant = $1 AND user_id = $2 AND id < $4 AND ($3::text IS NULL OR feature_space = $3)
        ORDER BY id DESC LIMIT $5
        """)

    static let stateColumns = "user_id, head, head_version, theta, precision, n_comparisons, version, updated_at"

    static let loadState = PreparedStatement(name: "load_state_v1", sql: """
        SELECT \(stateColumns) FROM user_states WHERE tenant = $1 AND user_id = $2 AND head = $3
        """)

    static let loadStates = PreparedStatement(name: "load_states_v1", sql: """
        SELECT \(stateColumns) FROM user_states WHERE tenant = $1 AND user_id = $2 ORDER BY head
        """)

    /// Notification payload: JSON built by the server (so ids with any characters survive), channel below.
    static let channel = "reward_state_changes"
    /// Seconds since the epoch when the change was written, for the NOTIFY-lag metric (commit follows at once:
    /// each notifying statement is its own transaction).
    static let sentAt = "extract(epoch from clock_timestamp())"

    /// Create (expected version NULL) or compare-and-swap update, plus NOTIFY, in one statement (one transaction).
    static let insertState = PreparedStatement(name: "insert_state_v1", sql: """
        WITH saved AS (
            INSERT INTO user_states (tenant, user_id, head, head_version, theta, precision, n_comparisons, version)
            SELECT $1, $2, $3, $4, $5, $6, $7::int, 1 WHERE EXISTS (SELECT 1 FROM tenants WHERE id = $1)
            ON CONFLICT (tenant, user_id, head) DO NOTHING
            RETURNING \(stateColumns)
        )
        SELECT saved.*, pg_notify('\(channel)', json_build_object('kind', 'state', 'tenant', $1::text,
               'user', $2::text, 'head', $3::text, 'version', saved.version, 'sent_at', \(sentAt))::text) FROM saved
        """)

    static let updateState = PreparedStatement(name: "update_state_v1", sql: """
        WITH saved AS (
            UPDATE user_states SET head_version = $4, theta = $5, precision = $6, n_comparisons = $7::int,
                   version = version + 1, updated_at = now()
            WHERE tenant = $1 AND user_id = $2 AND head = $3 AND version = $8
            RETURNING \(stateColumns)
        )
        SELECT saved.*, pg_notify('\(channel)', json_build_object('kind', 'state', 'tenant', $1::text,
               'user', $2::text, 'head', $3::text, 'version', saved.version, 'sent_at', \(sentAt))::text) FROM saved
        """)

    static let deleteUser = """
        WITH c AS (DELETE FROM comparisons WHERE tenant = $1 AND user_id = $2 RETURNING 1),
             s AS (DELETE FROM user_states WHERE tenant = $1 AND user_id = $2 RETURNING 1),
             l AS (DELETE FROM label_sources WHERE tenant = $1 AND user_id = $2),
             p AS (DELETE FROM label_predictions WHERE tenant = $1 AND user_id = $2)
        SELECT (SELECT count(*) FROM c), (SELECT count(*) FROM s),
               pg_notify('\(channel)', json_build_object('kind', 'deleted', 'tenant', $1::text, 'user', $2::text, 'sent_at', \(sentAt))::text)
        """

    static let countComparisons = PreparedStatement(name: "count_comparisons_v1", sql: """
        SELECT feature_space, count(*) FROM comparisons WHERE tenant = $1 AND user_id = $2 GROUP BY feature_space
        """)

    static let countStates = PreparedStatement(name: "count_states_v1", sql: """
        SELECT count(*) FROM user_states WHERE tenant = $1 AND user_id = $2
        """)

    /// Keyset page of states fitted for another head version; `(tenant, user_id)` follows the primary key.
    static let staleStates = PreparedStatement(name: "stale_states_v1", sql: """
        SELECT tenant, user_id FROM user_states
        WHERE head = $1 AND head_version <> $2 AND (tenant, user_id) > ($3, $4)
        ORDER BY tenant, user_id LIMIT $5
        """)
}
