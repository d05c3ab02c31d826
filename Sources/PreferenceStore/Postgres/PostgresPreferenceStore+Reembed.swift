import Foundation

/// `reward reembed` support. Pages walk the primary key (tenant, user_id, client_id), so each page is
/// an index range scan however large the table is.
extension PostgresPreferenceStore {
    /// How many comparisons are outside `featureSpace`, and how many of those carry every text.
    public func reembedCounts(excluding featureSpace: String) async throws -> (total: Int, reembeddable: Int) {
        var parameters = PGParameters()
        parameters.append(featureSpace)
        return try await pool.withConnection(idempotent: true) { [parameters] connection, deadline in
            let r = try connection.query(ReembedSQL.counts, parameters, deadline: deadline)
            return (Int(try r.int64(0, 0)), Int(try r.int64(0, 1)))
        }
    }

    public func reembedPage(excluding featureSpace: String, after cursor: Reembedding.Cursor, limit: Int) async throws -> Reembedding.Page {
        precondition(limit > 0, "page limit must be positive")
        var parameters = PGParameters()
        parameters.append(cursor.tenant)
        parameters.append(cursor.userID)
        parameters.append(cursor.clientID)
        parameters.append(featureSpace)
        parameters.append(Int64(limit))
        return try await pool.withConnection(idempotent: true) { [parameters] connection, deadline in
            let r = try connection.query(ReembedSQL.page, parameters, deadline: deadline)
            let candidates = (0..<r.rowCount).map { row in
                Reembedding.Candidate(
                    tenant: r.string(row, 0), userID: r.string(row, 1), clientID: r.string(row, 2), featureSpace: r.string(row, 3),
                    promptText: r.optionalString(row, 4), chosenText: r.optionalString(row, 5), rejectedText: r.optionalString(row, 6),
                    hasPromptFeatures: (try? r.int64(row, 7)) == 1)
            }
            let next = candidates.count < limit ? nil : candidates.last.map {
                Reembedding.Cursor(tenant: $0.tenant, userID: $0.userID, clientID: $0.clientID)
            }
            return Reembedding.Page(candidates: candidates, next: next)
        }
    }

    /// Writes new vectors and the target feature space in one transaction; the affected users'
    /// states (all heads) get an empty head version and a NOTIFY, so every replica refits them from
    /// the history as it now is.
    public func applyReembedding(_ updates: [Reembedding.Update], featureSpace: String) async throws -> Reembedding.Applied {
        guard !updates.isEmpty else { return Reembedding.Applied(comparisons: 0, users: []) }
        let c = updates.map(\.candidate)
        var parameters = PGParameters()
        parameters.append(texts: c.map(\.tenant))
        parameters.append(texts: c.map(\.userID))
        parameters.append(texts: c.map(\.clientID))
        parameters.append(texts: c.map(\.featureSpace))
        parameters.append(texts: c.map(\.promptText))
        parameters.append(texts: c.map(\.chosenText))
        parameters.append(texts: c.map(\.rejectedText))
        parameters.append(featureSpace)
        parameters.append(featureArrays: updates.map(\.prompt))
        parameters.append(featureArrays: updates.map(\.chosen))
        parameters.append(featureArrays: updates.map(\.rejected))
        return try await pool.withConnection(idempotent: true) { [parameters] connection, deadline in
            let r = try connection.query(ReembedSQL.apply, parameters, deadline: deadline)
            let users = (0..<r.rowCount).filter { !r.isNull($0, 2) }.map { UserKey(tenant: r.string($0, 2), userID: r.string($0, 3)) }
            return Reembedding.Applied(comparisons: Int(try r.int64(0, 0)), users: Set(users))
        }
    }
}

enum ReembedSQL {
    static let counts = PreparedStatement(name: "reembed_counts_v1", sql: """
        SELECT count(*),
               count(*) FILTER (WHERE chosen_text IS NOT NULL AND rejected_text IS NOT NULL
                                AND (prompt_features IS NULL OR prompt_text IS NOT NULL))
        FROM comparisons WHERE feature_space <> $1
        """)

    static let page = PreparedStatement(name: "reembed_page_v1", sql: """
        SELECT tenant, user_id, client_id, feature_space, prompt_text, chosen_text, rejected_text,
               (prompt_features IS NOT NULL)::int4::int8
        FROM comparisons
        WHERE (tenant, user_id, client_id) > ($1, $2, $3) AND feature_space <> $4
        ORDER BY tenant, user_id, client_id LIMIT $5
        """)

    /// Idempotent (a retried batch matches no row the second time: the feature space moved).
    static let apply = PreparedStatement(name: "reembed_apply_v1", sql: """
        WITH data AS (
            SELECT unnest($1::text[]) AS tenant, unnest($2::text[]) AS user_id, unnest($3::text[]) AS client_id,
                   unnest($4::text[]) AS old_space, unnest($5::text[]) AS prompt_text, unnest($6::text[]) AS chosen_text,
                   unnest($7::text[]) AS rejected_text, unnest($9::bytea[]) AS prompt_features,
                   unnest($10::bytea[]) AS chosen_features, unnest($11::bytea[]) AS rejected_features
        ), moved AS (
            UPDATE comparisons AS t
               SET feature_space = $8, prompt_features = d.prompt_features, chosen_features = d.chosen_features,
                   rejected_features = d.rejected_features, updated_at = now()
              FROM data d
             WHERE t.tenant = d.tenant AND t.user_id = d.user_id AND t.client_id = d.client_id
               AND t.feature_space = d.old_space AND t.prompt_text IS NOT DISTINCT FROM d.prompt_text
               AND t.chosen_text IS NOT DISTINCT FROM d.chosen_text AND t.rejected_text IS NOT DISTINCT FROM d.rejected_text
            RETURNING t.tenant, t.user_id
        ), touched AS (
            SELECT DISTINCT tenant, user_id FROM moved
        ), invalidated AS (
            UPDATE user_states AS s SET head_version = '', version = s.version + 1, updated_at = now()
              FROM touched u WHERE s.tenant = u.tenant AND s.user_id = u.user_id
            RETURNING s.tenant, s.user_id, s.head, s.version
        ), notified AS (
            SELECT pg_notify('\(SQL.channel)', json_build_object('kind', 'state', 'tenant', tenant, 'user', user_id,
                             'head', head, 'version', version)::text) FROM invalidated
        )
        SELECT (SELECT count(*) FROM moved), (SELECT count(*) FROM notified), u.tenant, u.user_id
        FROM (SELECT 1) AS one LEFT JOIN touched AS u ON true
        """)
}

extension PostgresPreferenceStore {
    public struct ReembedSummary: Sendable, Equatable {
        /// Comparisons outside the target space when the run started.
        public var candidates: Int
        /// Moved into the target space.
        public var reembedded: Int
        /// Left alone: a vector was sent as features without its text.
        public var withoutText: Int
        /// Changed by someone else while this run embedded them (left for the next run).
        public var changedMeanwhile: Int
        /// Users whose comparisons moved; their states were invalidated (refitted from history on next use).
        public var usersInvalidated: Int
        /// Distinct texts embedded.
        public var textsEmbedded: Int
    }

    /// Moves every comparison outside `featureSpace` that carries its texts into `featureSpace`:
    /// pages of `batchSize`, each page's distinct texts embedded with one `embed` call (which must
    /// return one vector per text), written back in one transaction. `progress` gets the summary so
    /// far after each page. Rows without texts are counted and left where they are.
    public func reembed(
        into featureSpace: String, batchSize: Int = 256, embed: ([String]) throws -> [[Float]],
        progress: (ReembedSummary) -> Void = { _ in }
    ) async throws -> ReembedSummary {
        precondition(batchSize > 0, "batch size must be positive")
        let counts = try await reembedCounts(excluding: featureSpace)
        var summary = ReembedSummary(candidates: counts.total, reembedded: 0, withoutText: 0, changedMeanwhile: 0,
                                     usersInvalidated: 0, textsEmbedded: 0)
        var cursor = Reembedding.Cursor.start
        var users = Set<UserKey>()
        while true {
            let page = try await reembedPage(excluding: featureSpace, after: cursor, limit: batchSize)
            let usable = page.candidates.filter(\.isReembeddable)
            summary.withoutText += page.candidates.count - usable.count
            var index: [String: Int] = [:], texts: [String] = []
            for c in usable {
                for t in [c.promptText, c.chosenText, c.rejectedText].compactMap({ $0 }) where index[t] == nil {
                    index[t] = texts.count
                    texts.append(t)
                }
            }
            let vectors = try embed(texts)
            precondition(vectors.count == texts.count, "embed returned \(vectors.count) vectors for \(texts.count) texts")
            let updates = usable.map { c in
                Reembedding.Update(candidate: c, prompt: c.promptText.map { vectors[index[$0]!] },
                                   chosen: vectors[index[c.chosenText!]!], rejected: vectors[index[c.rejectedText!]!])
            }
            let applied = try await applyReembedding(updates, featureSpace: featureSpace)
            summary.reembedded += applied.comparisons
            summary.changedMeanwhile += usable.count - applied.comparisons
            users.formUnion(applied.users)
            summary.usersInvalidated = users.count
            summary.textsEmbedded += texts.count
            progress(summary)
            guard let next = page.next else { return summary }
            cursor = next
        }
    }
}
