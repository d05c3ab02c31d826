import ArgumentParser
import Foundation
import Logging
import PreferenceStore
import RewardAPI

#if canImport(Glibc)
import Glibc
#endif

/// `reward serve`'s API-key settings. Keys live in PostgreSQL (`reward keys`), so replicas share them.
struct AuthOptions: ParsableArguments {
    @Flag(help: "Serve a non-loopback address even though no API key exists: anyone who can connect gets full access (env REWARD_ALLOW_UNAUTHENTICATED=1).")
    var allowUnauthenticated = false

    @Option(help: ArgumentHelp(
        "File with API keys to create at startup when their id is absent: `rk_… [tenant=T] [scopes=…] [label=L]` per line; `reward keys generate` prints one (env REWARD_BOOTSTRAP_KEY_FILE).",
        valueName: "path"))
    var bootstrapKeyFile: String?

    @Option(help: "Requests per second each API key may make (token bucket per replica; 429 + Retry-After beyond; env REWARD_RATE_LIMIT_PER_KEY). Default: unlimited.")
    var rateLimitPerKey: Double?

    // REWARD_* variables and the config file reach these options through ConfigurationSources.
    var resolvedAllowUnauthenticated: Bool { allowUnauthenticated }
    var resolvedRateLimit: Double? { rateLimitPerKey }

    func validate() throws {
        if let rate = resolvedRateLimit, !(rate > 0 && rate.isFinite) {
            throw ValidationError("--rate-limit-per-key must be a positive number of requests per second")
        }
    }

    struct StartupError: Error, CustomStringConvertible { let description: String }

    /// Bootstraps keys from the file, then decides the auth mode for `host`. Refuses (throws) a non-loopback
    /// bind with no key unless unauthenticated access was asked for explicitly.
    func makeAuthenticator(store: any APIKeyStore, host: String, logger: Logger) async throws -> KeyAuthenticator {
        if let path = bootstrapKeyFile {
            try await Self.bootstrap(path: path, store: store, logger: logger)
        }
        let source = StoreKeySource(store: store)
        let keysExist = try await !source.activeKeys().isEmpty
        let loopback = Self.isLoopback(host)
        if !loopback && !keysExist && !resolvedAllowUnauthenticated {
            throw StartupError(description: """
                refusing to serve \(host) without API keys: anyone who can reach it would get full access. \
                Create a key first (`reward keys create --tenant default --scopes score,write,admin`, or \
                --bootstrap-key-file / REWARD_BOOTSTRAP_KEY_FILE), bind 127.0.0.1, or pass --allow-unauthenticated.
                """)
        }
        // A public bind stays locked even if every key is revoked later; loopback and explicitly open servers
        // require keys only while some exist.
        let mode: KeyAuthenticator.Mode = loopback || resolvedAllowUnauthenticated ? .whenKeysExist : .always
        logger.info("auth configured", metadata: ["auth.mode": "\(mode)", "auth.keys": "\(keysExist)",
                                                  "auth.rate_limit_per_key": "\(resolvedRateLimit.map { "\($0)" } ?? "none")"])
        if !keysExist && mode == .whenKeysExist {
            logger.notice("no API key exists: every /v1 route is open (create one with `reward keys create`)")
        }
        return KeyAuthenticator(source: source, mode: mode, logger: logger)
    }

    static func bootstrap(path: String, store: any APIKeyStore, logger: Logger) async throws {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw StartupError(description: "cannot read the bootstrap key file \(path): \(error.localizedDescription)")
        }
        let entries: [KeyFileEntry]
        do {
            entries = try KeyFileEntry.parse(text)
        } catch {
            throw StartupError(description: "bootstrap key file \(path): \(error)")
        }
        for entry in entries {
            let key = NewAPIKey(id: entry.token.id, tenant: entry.tenant, scopes: entry.scopes.map(\.name),
                                keyHash: entry.token.hash, label: entry.label)
            if try await store.createAPIKey(key, ifAbsent: true) != nil {
                logger.notice("bootstrap key created", metadata: ["key.id": "\(entry.token.id)", "key.tenant": "\(entry.tenant)"])
            } else if let existing = try await store.apiKey(id: entry.token.id) {
                // Left as stored: a revoked bootstrap key must not come back at the next restart.
                if existing.isRevoked {
                    logger.warning("bootstrap key is revoked; not re-created", metadata: ["key.id": "\(existing.id)"])
                } else if existing.keyHash != key.keyHash {
                    logger.warning("bootstrap key id exists with another secret; the stored key stays", metadata: ["key.id": "\(existing.id)"])
                }
            }
        }
    }

    /// 127.0.0.0/8, ::1 (also IPv4-mapped) and `localhost`.
    static func isLoopback(_ host: String) -> Bool {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if bare.lowercased() == "localhost" { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, bare, &v4) == 1 { return UInt32(bigEndian: v4.s_addr) >> 24 == 127 }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, bare, &v6) == 1 else { return false }
        let bytes = withUnsafeBytes(of: v6) { Array($0) }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }
        let mapped = bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff
        return mapped && bytes[12] == 127
    }
}
