import Foundation
import Logging
import PreferenceStore
import RewardAPI
import Testing
@testable import reward

/// `reward serve`'s key startup: which binds count as loopback, the refusal, the mode, the bootstrap file.
struct AuthOptionsTests {
    @Test(arguments: ["127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost", "LOCALHOST", "::ffff:127.0.0.1"])
    func loopback(host: String) { #expect(AuthOptions.isLoopback(host)) }

    @Test(arguments: ["0.0.0.0", "::", "10.0.0.5", "192.168.1.2", "::ffff:10.0.0.1", "example.com", "128.0.0.1", ""])
    func notLoopback(host: String) { #expect(!AuthOptions.isLoopback(host)) }

    static func options(_ arguments: [String]) throws -> AuthOptions { try AuthOptions.parse(arguments) }
    static let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    @Test func aKeylessPublicBindIsRefusedUnlessAllowed() async throws {
        let store = InMemoryPreferenceStore()
        await #expect(throws: AuthOptions.StartupError.self) {
            _ = try await Self.options([]).makeAuthenticator(store: store, host: "0.0.0.0", logger: Self.quiet)
        }
        let open = try await Self.options(["--allow-unauthenticated"]).makeAuthenticator(store: store, host: "0.0.0.0", logger: Self.quiet)
        #expect(open.mode == .whenKeysExist)
        #expect(try await Self.options([]).makeAuthenticator(store: store, host: "127.0.0.1", logger: Self.quiet).mode == .whenKeysExist)
        let token = APIKeyToken.generate()
        _ = try await store.createAPIKey(NewAPIKey(id: token.id, tenant: "t", scopes: ["score"], keyHash: token.hash), ifAbsent: false)
        let locked = try await Self.options([]).makeAuthenticator(store: store, host: "0.0.0.0", logger: Self.quiet)
        #expect(locked.mode == .always, "a public bind stays locked even if its keys are revoked later")
    }

    @Test func bootstrapInsertsAbsentKeysOnceAndNeverRevivesARevokedOne() async throws {
        let store = InMemoryPreferenceStore()
        let a = APIKeyToken.generate(), b = APIKeyToken.generate()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("keys-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        try "\(a.string)\n\(b.string) tenant=acme scopes=score label=tool\n".write(to: file, atomically: true, encoding: .utf8)
        let options = try Self.options(["--bootstrap-key-file", file.path])
        let auth = try await options.makeAuthenticator(store: store, host: "0.0.0.0", logger: Self.quiet)
        #expect(auth.mode == .always)
        #expect(try await store.apiKey(id: a.id).map { [$0.tenant, $0.scopes.joined(separator: ","), $0.label ?? ""] }
                == ["default", "score,write,admin", "bootstrap"])
        #expect(try await store.apiKey(id: b.id).map { [$0.tenant, $0.scopes.joined(separator: ","), $0.label ?? ""] } == ["acme", "score", "tool"])
        #expect(await auth.authenticate(bearer: b.string)?.tenant == "acme")

        _ = try await store.revokeAPIKey(id: a.id)
        _ = try await options.makeAuthenticator(store: store, host: "0.0.0.0", logger: Self.quiet)
        #expect(try await store.apiKey(id: a.id)?.isRevoked == true)
        #expect(try await store.apiKeys(includeRevoked: true).count == 2)

        try "not a key\n".write(to: file, atomically: true, encoding: .utf8)
        await #expect(throws: AuthOptions.StartupError.self) {
            _ = try await options.makeAuthenticator(store: store, host: "127.0.0.1", logger: Self.quiet)
        }
        let missing = try Self.options(["--bootstrap-key-file", file.path + ".absent"])
        await #expect(throws: AuthOptions.StartupError.self) {
            _ = try await missing.makeAuthenticator(store: store, host: "127.0.0.1", logger: Self.quiet)
        }
    }

    @Test func rateLimitMustBePositive() throws {
        #expect(throws: (any Error).self) { try Self.options(["--rate-limit-per-key", "0"]) }
        #expect(throws: (any Error).self) { try Self.options(["--rate-limit-per-key", "-3"]) }
        #expect(try Self.options(["--rate-limit-per-key", "2.5"]).resolvedRateLimit == 2.5)
    }
}
