import HTTPServer
import Synchronization
import Testing
import Locking
@testable import RewardAPI

/// The snapshot cache: requests never hit the store inside the refresh window, changes arrive after it,
/// a failing store keeps the last snapshot for a while and then fails closed.
struct KeyAuthenticatorTests {
    final class ScriptedSource: KeySource {
        let keys = Locked<[KeyEntry]>([])
        let failing = Atomic<Bool>(false)
        let loads = Atomic<Int>(0)
        let used = Locked<[String]>([])

        func activeKeys() async throws -> [KeyEntry] {
            loads.add(1, ordering: .relaxed)
            if failing.load(ordering: .relaxed) { throw AuthError("store down") }
            return keys.withLock { $0 }
        }

        func recordUse(keyIDs: [String]) async throws { used.withLock { $0 += keyIDs } }

        func add(_ token: APIKeyToken, tenant: String = "t", scopes: [String] = ["score"]) {
            keys.withLock { $0.append(KeyEntry(id: token.id, tenant: tenant, scopes: scopes, hash: token.hash)) }
        }

        func remove(_ token: APIKeyToken) { keys.withLock { $0.removeAll { $0.id == token.id } } }
    }

    static func timing(refresh: Int, expire: Int, stale: Int = 10_000) -> KeyAuthenticator.Timing {
        var t = KeyAuthenticator.Timing()
        t.refreshAfter = .milliseconds(refresh)
        t.expireAfter = .milliseconds(expire)
        t.staleOnError = .milliseconds(stale)
        t.retryAfterFailure = .milliseconds(refresh)
        t.useFlushInterval = .zero
        return t
    }

    @Test func requestsInsideTheWindowDoNotTouchTheStore() async throws {
        let source = ScriptedSource()
        let token = APIKeyToken.generate()
        source.add(token)
        let auth = KeyAuthenticator(source: source, mode: .whenKeysExist, timing: Self.timing(refresh: 60_000, expire: 120_000))
        for _ in 0..<1000 {
            #expect(await auth.authenticate(bearer: token.string)?.tenant == "t")
        }
        #expect(source.loads.load(ordering: .relaxed) == 1)
    }

    @Test func revocationAndNewKeysArriveAfterTheWindow() async throws {
        let source = ScriptedSource()
        let old = APIKeyToken.generate(), new = APIKeyToken.generate()
        source.add(old)
        let auth = KeyAuthenticator(source: source, mode: .whenKeysExist, timing: Self.timing(refresh: 20, expire: 40))
        #expect(await auth.authenticate(bearer: old.string) != nil)
        source.remove(old)
        source.add(new)
        // Past the expiry the next request waits for a reload: the change is certain to be visible.
        try await Task.sleep(for: .milliseconds(60))
        #expect(await auth.authenticate(bearer: old.string) == nil)
        #expect(await auth.authenticate(bearer: new.string) != nil)
    }

    @Test func aFailingStoreServesTheLastSnapshotWithinStaleOnError() async throws {
        let source = ScriptedSource()
        let token = APIKeyToken.generate()
        source.add(token)
        let auth = KeyAuthenticator(source: source, mode: .whenKeysExist, timing: Self.timing(refresh: 0, expire: 0, stale: 600_000))
        #expect(await auth.authenticate(bearer: token.string) != nil)
        source.failing.store(true, ordering: .relaxed)
        #expect(await auth.authenticate(authorization: "Bearer \(token.string)") == .authenticated(Principal(keyID: token.id, tenant: "t", scopes: [.score])),
                "a blip keeps the last snapshot")
        source.failing.store(false, ordering: .relaxed)
        source.remove(token)
        // While the store was failing, requests got the stale snapshot without waiting; the reload they
        // started in the background now succeeds and the removal becomes visible.
        var rejected = false
        for _ in 0..<200 where !rejected {
            rejected = await auth.authenticate(bearer: token.string) == nil
            if !rejected { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(rejected, "the recovered store is read again")
    }

    @Test func aFailingStoreFailsClosedPastStaleOnError() async throws {
        let source = ScriptedSource()
        let token = APIKeyToken.generate()
        source.add(token)
        let auth = KeyAuthenticator(source: source, mode: .whenKeysExist, timing: Self.timing(refresh: 0, expire: 0, stale: 0))
        #expect(await auth.authenticate(bearer: token.string) != nil)
        source.failing.store(true, ordering: .relaxed)
        #expect(await auth.authenticate(authorization: "Bearer \(token.string)") == .unavailable, "503, never open")
        #expect(await auth.authenticate(authorization: nil) == .unavailable, "not .disabled either")
        let cold = KeyAuthenticator(source: source, mode: .whenKeysExist)
        #expect(await cold.authenticate(authorization: nil) == .unavailable, "no snapshot yet and no store")
    }

    @Test func tokenBucketsRefillAtTheRate() {
        let limiter = KeyRateLimiter(requestsPerSecond: 2)
        let t0 = ContinuousClock.now
        #expect(limiter.admit("a", now: t0) == nil)
        #expect(limiter.admit("a", now: t0) == nil)
        #expect(limiter.admit("a", now: t0) == 1, "burst of 2 used up; the next token comes in 0.5 s → Retry-After 1")
        #expect(limiter.admit("b", now: t0) == nil, "buckets are per key")
        #expect(limiter.admit("a", now: t0 + .milliseconds(500)) == nil)
        #expect(limiter.admit("a", now: t0 + .milliseconds(600)) == 1)
        #expect(limiter.admit("a", now: t0 + .seconds(10)) == nil)
        #expect(limiter.admit("a", now: t0 + .seconds(10)) == nil, "refill is capped at the burst")
        #expect(limiter.admit("a", now: t0 + .seconds(10)) == 1)
        #expect(KeyRateLimiter(requestsPerSecond: 0.1).admit("x", now: t0) == nil)
    }

    @Test func usedKeysAreReportedAtTheNextReload() async throws {
        let source = ScriptedSource()
        let token = APIKeyToken.generate()
        source.add(token)
        let auth = KeyAuthenticator(source: source, mode: .whenKeysExist, timing: Self.timing(refresh: 0, expire: 0))
        _ = await auth.authenticate(bearer: token.string)
        _ = await auth.authenticate(bearer: "rk_nosuch1_" + String(repeating: "a", count: 40))
        _ = await auth.authenticate(bearer: token.string)
        #expect(source.used.withLock { $0 } == [token.id])
    }

    @Test func unknownScopeNamesAreIgnoredNotWidened() async throws {
        let source = ScriptedSource()
        let token = APIKeyToken.generate()
        source.add(token, scopes: ["score", "superuser"])
        let auth = KeyAuthenticator(source: source, mode: .whenKeysExist)
        #expect(await auth.authenticate(bearer: token.string)?.scopes == [.score])
    }
}

struct KeyFormatTests {
    @Test func generatedKeysParseAndHideTheirSecret() throws {
        let a = APIKeyToken.generate(), b = APIKeyToken.generate()
        #expect(a != b && a.id != b.id)
        #expect(a.string.hasPrefix("rk_") && a.string.count == 3 + 16 + 1 + 64)
        #expect(APIKeyToken(a.string) == a)
        #expect(!"\(a)".contains(a.secret))
        #expect(a.hash.count == 32 && a.hash == Digest.sha256(Array(a.string.utf8)))
    }

    @Test(arguments: ["", "rk_", "rk_abcd", "rk_abcd_short", "xx_abcd_" + String(repeating: "a", count: 40),
                      "rk_ABCD_" + String(repeating: "a", count: 40), "rk_abc_" + String(repeating: "a", count: 40),
                      "rk_abcd_" + String(repeating: "a", count: 39) + "-", "rk_abcd_" + String(repeating: "a", count: 257)])
    func malformedKeysAreRejected(text: String) {
        #expect(APIKeyToken(text) == nil)
    }

    @Test func sha256MatchesKnownVectors() {
        #expect(APIKeyToken.hex(Digest.sha256([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(APIKeyToken.hex(Digest.sha256(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(ConstantTime.equal([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equal([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equal([1, 2, 3], [1, 2]))
    }

    @Test func scopeListsRejectTypos() throws {
        #expect(try Scope.parseList("score, write,score") == [.score, .write])
        #expect(throws: AuthError.self) { try Scope.parseList("score,wirte") }
        #expect(throws: AuthError.self) { try Scope.parseList("") }
    }

    @Test func keyFilesParseWithDefaultsAndFields() throws {
        let a = APIKeyToken.generate(), b = APIKeyToken.generate()
        let text = """
            # bootstrap keys
            \(a.string)

            \(b.string) tenant=acme scopes=score label=ls\r
            """
        let entries = try KeyFileEntry.parse(text)
        #expect(entries.count == 2)
        #expect(entries[0] == KeyFileEntry(token: a, tenant: "default", scopes: Scope.all, label: "bootstrap"))
        #expect(entries[1] == KeyFileEntry(token: b, tenant: "acme", scopes: [.score], label: "ls"))
        #expect(try KeyFileEntry.parse(entries[1].line) == [entries[1]])
        for bad in ["", "# only a comment", "not-a-key", "\(a.string) tenant", "\(a.string) color=red", "\(a.string)\n\(a.string)",
                    "\(a.string) scopes=root"] {
            #expect(throws: AuthError.self, "\(bad)") { try KeyFileEntry.parse(bad) }
        }
    }
}
