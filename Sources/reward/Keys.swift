import ArgumentParser
import Foundation
import Logging
import PreferenceStore
import RewardAPI

/// `reward keys create|list|revoke|generate`: API keys in the shared PostgreSQL store. Only a hash is
/// stored; `create` prints the key once, on stdout (so `KEY=$(reward keys create …)` works).
struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage API keys (tenants and scopes).",
        subcommands: [Create.self, List.self, Revoke.self, Generate.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key; prints it once.")

        @Option(help: "Tenant whose users the key reaches (created if new).")
        var tenant: String = KeyFileEntry.defaultTenant

        @Option(help: "Comma-separated scopes: score, write, admin.")
        var scopes: String = "score"

        @Option(help: "A note for `reward keys list` (who or what uses the key).")
        var label: String?

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let scopeList = try parsedScopes(scopes)
            let token = APIKeyToken.generate()
            let record = try await withKeyStore(database) { store in
                try await store.createAPIKey(
                    NewAPIKey(id: token.id, tenant: tenant, scopes: scopeList.map(\.name), keyHash: token.hash, label: label),
                    ifAbsent: false)
            }
            print(token.string)
            Keys.note("created key \(token.id) for tenant \(record?.tenant ?? tenant) with scopes \(scopeList.map(\.name).joined(separator: ",")); it is shown only this once")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never their secrets).")

        @Flag(help: "Include revoked keys.")
        var all = false

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let keys = try await withKeyStore(database) { try await $0.apiKeys(includeRevoked: all) }
            let rows = keys.map { k in
                [k.id, k.tenant, k.scopes.joined(separator: ","), Keys.timestamp(k.createdAt),
                 k.lastUsedAt.map(Keys.timestamp) ?? "-", k.revokedAt.map { "revoked " + Keys.timestamp($0) } ?? "active", k.label ?? ""]
            }
            print(Keys.table(header: ["ID", "TENANT", "SCOPES", "CREATED", "LAST USED", "STATUS", "LABEL"], rows: rows), terminator: "")
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key (every replica refuses it within 2 s).")

        @Argument(help: "The key id (`reward keys list`), or the full key.")
        var id: String

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let keyID = APIKeyToken(id)?.id ?? id
            let record = try await withKeyStore(database) { try await $0.revokeAPIKey(id: keyID) }
            print("revoked \(record.id) (tenant \(record.tenant)) at \(Keys.timestamp(record.revokedAt ?? Date()))")
        }
    }

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a new key as a bootstrap key-file line (no database): for REWARD_BOOTSTRAP_KEY_FILE / Kubernetes secrets.")

        @Option(help: "Tenant of the key.")
        var tenant: String = KeyFileEntry.defaultTenant

        @Option(help: "Comma-separated scopes: score, write, admin.")
        var scopes: String = "score,write,admin"

        @Option(help: "A note for `reward keys list`.")
        var label: String = "bootstrap"

        func run() throws {
            let entry = KeyFileEntry(token: .generate(), tenant: tenant, scopes: try parsedScopes(scopes), label: label)
            print(entry.line)
        }
    }

    static func note(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static func timestamp(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }

    static func table(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { i in all.map { $0[i].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n") + "\n"
    }
}

private func parsedScopes(_ text: String) throws -> [Scope] {
    do {
        return try Scope.parseList(text)
    } catch {
        throw ValidationError(error.description)
    }
}

/// Connects (migrating if needed), runs `body`, disconnects. Logs go to stderr at warning and above so
/// stdout carries only the command's output.
private func withKeyStore<T: Sendable>(_ database: DatabaseOptions, _ body: (PostgresPreferenceStore) async throws -> T) async throws -> T {
    var logger = Logger(label: "reward") { StreamLogHandler.standardError(label: $0) }
    logger.logLevel = .warning
    return try await database.withStoreConfiguration(logger: logger) { configuration in
        var configuration = configuration
        configuration.poolSize = 1
        let store = try await PostgresPreferenceStore.connect(configuration, logger: logger)
        do {
            let value = try await body(store)
            await store.shutdown()
            return value
        } catch let error as PreferenceStoreError where [.notFound, .conflict, .invalidInput].contains(error.code) {
            await store.shutdown()
            throw ValidationError(error.message)  // the user's mistake: say it plainly, no error type names
        } catch {
            await store.shutdown()
            throw error
        }
    }
}
