/// One schema change, compiled into the binary. Versions only grow; an applied migration is never edited
/// (its checksum is recorded and verified) — change the schema with a new version instead.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    let sql: String

    /// FNV-1a 64 of the SQL text: detects an applied migration whose text was changed afterwards.
    var checksum: Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in sql.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }
}

extension Migration {
    /// The schema, in order. DESIGN.md §6.
    public static let all: [Migration] = [
        Migration(version: 1, name: "initial schema", sql: """
            CREATE TABLE tenants (
                id          text PRIMARY KEY CHECK (id <> ''),
                name        text,
                created_at  timestamptz NOT NULL DEFAULT now()
            );
            INSERT INTO tenants (id, name) VALUES ('default', 'Default tenant');

            -- Only a hash of each key is stored; the key itself is shown once, at creation.
            CREATE TABLE api_keys (
                id          bigserial PRIMARY KEY,
                tenant      text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
                key_hash    bytea NOT NULL UNIQUE,
                label       text,
                scopes      text[] NOT NULL DEFAULT '{}',
                created_at  timestamptz NOT NULL DEFAULT now(),
                revoked_at  timestamptz
            );
            CREATE INDEX api_keys_tenant_idx ON api_keys (tenant);

            -- θ for (user, head): fitted for one head version; precision is the K×K Laplace precision, row-major.
            CREATE TABLE user_states (
                tenant        text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
                user_id       text NOT NULL,
                head          text NOT NULL,
                head_version  text NOT NULL,
                theta         float8[] NOT NULL,
                precision     float8[],
                version       bigint NOT NULL CHECK (version > 0),
                n_comparisons integer NOT NULL DEFAULT 0 CHECK (n_comparisons >= 0),
                created_at    timestamptz NOT NULL DEFAULT now(),
                updated_at    timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (tenant, user_id, head)
            );

            -- A user's labelled pairs. Features are little-endian f32 vectors of the feature space's backbone.
            -- No foreign key to tenants on this hot table: the append statement checks the tenant once per
            -- batch instead of a trigger per row (and tenant deletion removes comparisons explicitly).
            CREATE TABLE comparisons (
                id                bigserial PRIMARY KEY,
                tenant            text NOT NULL,
                user_id           text NOT NULL,
                feature_space     text NOT NULL,
                client_id         text NOT NULL,
                prompt_features   bytea,
                chosen_features   bytea NOT NULL,
                rejected_features bytea NOT NULL,
                prompt_text       text,
                chosen_text       text,
                rejected_text     text,
                weight            float8 NOT NULL DEFAULT 1 CHECK (weight >= 0),
                source            text,
                created_at        timestamptz NOT NULL DEFAULT now(),
                updated_at        timestamptz NOT NULL DEFAULT now(),
                CONSTRAINT comparisons_client_id_key UNIQUE (tenant, user_id, client_id)
            );
            -- Keyset paging of one user's history.
            CREATE INDEX comparisons_history_idx ON comparisons (tenant, user_id, id);
            """),
        // Feature vectors are incompressible floats: never try pglz on them (EXTERNAL), and keep rows up to a
        // full page inline (toast_tuple_target) so a d=384 comparison (≈4.6 kB) costs one heap insert instead
        // of a heap insert plus three TOAST-table inserts. Larger rows still move features out of line.
        Migration(version: 2, name: "inline feature storage", sql: """
            ALTER TABLE comparisons
                ALTER COLUMN prompt_features SET STORAGE EXTERNAL,
                ALTER COLUMN chosen_features SET STORAGE EXTERNAL,
                ALTER COLUMN rejected_features SET STORAGE EXTERNAL,
                SET (toast_tuple_target = 8160);
            """),
        // Rows are found by (tenant, user, client id) and paged by (tenant, user, id); an index on id alone
        // served no query and cost one more index insert per appended row. The natural key becomes the
        // primary key (ON CONFLICT targets it unchanged); id stays unique by its sequence.
        Migration(version: 3, name: "comparisons keyed by client id", sql: """
            ALTER TABLE comparisons
                DROP CONSTRAINT comparisons_pkey,
                DROP CONSTRAINT comparisons_client_id_key,
                ADD CONSTRAINT comparisons_pkey PRIMARY KEY (tenant, user_id, client_id);
            """),
        // Keys are `rk_<id>_<secret>`: found by their public id, verified by a constant-time comparison of
        // SHA-256(key). Version 1's table (found by hash, numeric ids) was never written by any release, so it
        // is replaced rather than altered.
        Migration(version: 4, name: "api keys by public id", sql: """
            DROP TABLE api_keys;
            CREATE TABLE api_keys (
                id            text PRIMARY KEY CHECK (id ~ '^[a-z0-9]{4,32}$'),
                tenant        text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
                key_hash      bytea NOT NULL CHECK (octet_length(key_hash) = 32),
                scopes        text[] NOT NULL CHECK (cardinality(scopes) > 0),
                label         text,
                created_at    timestamptz NOT NULL DEFAULT now(),
                revoked_at    timestamptz,
                last_used_at  timestamptz
            );
            CREATE INDEX api_keys_tenant_idx ON api_keys (tenant);
            """),
        labelLedger,  // version 5: PostgresPreferenceStore+Labels.swift
    ]
}
