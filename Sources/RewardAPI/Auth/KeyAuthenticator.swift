import Foundation
import HTTPServer
import Logging
import Locking

/// Verifies API keys against an in-memory snapshot of every active key, reloaded from the store at most
/// every `refreshAfter` (in the background while the snapshot is young enough, waited for once it expires),
/// so a request costs a SHA-256 and a dictionary lookup, never a database round trip. A key created or
/// revoked on any replica takes effect everywhere within `expireAfter` (1.5 s by default).
public final class KeyAuthenticator: Sendable {
    public enum Mode: Sendable {
        /// Auth is on once any active key exists (loopback and `--allow-unauthenticated` servers).
        case whenKeysExist
        /// Every /v1 request needs a key, even when none exists (a public bind: revoking the last key
        /// must lock the server, not open it).
        case always
    }

    public struct Timing: Sendable {
        public var refreshAfter: Duration = .milliseconds(500)
        public var expireAfter: Duration = .milliseconds(1500)
        /// While the store fails, the last snapshot keeps serving this long (then requests get 503).
        public var staleOnError: Duration = .seconds(30)
        public var retryAfterFailure: Duration = .seconds(1)
        /// How often `lastUsedAt` is written per replica.
        public var useFlushInterval: Duration = .seconds(60)
        public init() {}
    }

    public enum Outcome: Sendable, Equatable {
        /// No key exists and the mode allows that: the request runs as the default tenant.
        case disabled
        case authenticated(Principal)
        /// Missing, malformed, unknown, revoked or wrong key (the reason is for the client).
        case rejected(reason: String, credentialsPresented: Bool)
        /// The key store cannot be read and no recent snapshot exists.
        case unavailable
    }

    private final class Snapshot: Sendable {
        let keys: [String: (hash: [UInt8], principal: Principal)]
        let loadedAt: ContinuousClock.Instant
        init(_ entries: [KeyEntry], loadedAt: ContinuousClock.Instant) {
            var keys: [String: (hash: [UInt8], principal: Principal)] = [:]
            for e in entries {
                keys[e.id] = (e.hash, Principal(keyID: e.id, tenant: e.tenant, scopes: Set(e.scopes.compactMap(Scope.init(named:)))))
            }
            self.keys = keys
            self.loadedAt = loadedAt
        }
    }

    private struct State {
        var snapshot: Snapshot?
        var refresh: Task<Void, Never>?
        var lastFailure: ContinuousClock.Instant?
        var used: Set<String> = []
        var lastUseFlush = ContinuousClock.now
    }

    public let mode: Mode
    let source: any KeySource
    let timing: Timing
    let logger: Logger
    private let state = Locked(State())

    public init(source: any KeySource, mode: Mode, timing: Timing = Timing(), logger: Logger = Logger(label: "reward.auth")) {
        self.source = source
        self.mode = mode
        self.timing = timing
        self.logger = logger
    }

    /// Authenticates an `Authorization` header value: `Bearer <key>`, or `Basic` with the key as the
    /// password (or as the user name with an empty password) for tools that only speak basic auth.
    public func authenticate(authorization: String?) async -> Outcome {
        guard let snapshot = await currentSnapshot() else { return .unavailable }
        if snapshot.keys.isEmpty && mode == .whenKeysExist { return .disabled }
        guard let authorization else {
            return .rejected(reason: "this server requires an API key: send Authorization: Bearer <key>", credentialsPresented: false)
        }
        guard let token = Self.token(fromAuthorization: authorization) else {
            return .rejected(reason: "the Authorization header is not a Bearer API key", credentialsPresented: true)
        }
        guard let principal = verify(token, in: snapshot) else {
            return .rejected(reason: "the API key is invalid or revoked", credentialsPresented: true)
        }
        return .authenticated(principal)
    }

    /// The principal for a full key string, or nil (unknown, revoked, malformed, or the store is unreadable).
    public func authenticate(bearer key: String) async -> Principal? {
        guard let snapshot = await currentSnapshot() else { return nil }
        return verify(key[...], in: snapshot)
    }

    /// True when at least one active key exists (read from the store now).
    public func keysExist() async throws -> Bool {
        try await !source.activeKeys().isEmpty
    }

    /// Forgets the snapshot: the next request reloads (after a bootstrap insert, and in tests).
    public func invalidate() {
        state.withLock { $0.snapshot = nil }
    }

    private func verify(_ key: Substring, in snapshot: Snapshot) -> Principal? {
        guard let token = APIKeyToken(key), let entry = snapshot.keys[token.id],
              ConstantTime.equal(token.hash, entry.hash)
        else { return nil }
        state.withLock { _ = $0.used.insert(token.id) }
        return entry.principal
    }

    static func token(fromAuthorization header: String) -> Substring? {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        let scheme = parts[0].lowercased(), credentials = parts[1].drop { $0 == " " }
        switch scheme {
        case "bearer": return credentials
        case "basic":
            guard let decoded = Data(base64Encoded: String(credentials)),
                  let text = String(validating: Array(decoded), as: UTF8.self),
                  let colon = text.firstIndex(of: ":") else { return nil }
            let user = text[..<colon], password = text[text.index(after: colon)...]
            return password.isEmpty ? user : password
        default: return nil
        }
    }

    // MARK: snapshot

    /// A usable snapshot, or nil when the store cannot be read and nothing recent is cached.
    private func currentSnapshot() async -> Snapshot? {
        let now = ContinuousClock.now
        let (ready, wait): (Snapshot?, Task<Void, Never>?) = state.withLock { s in
            if let snapshot = s.snapshot, now - snapshot.loadedAt < timing.refreshAfter { return (snapshot, nil) }
            let mayRetry = s.lastFailure.map { now - $0 >= timing.retryAfterFailure } ?? true
            if s.refresh == nil && mayRetry { s.refresh = Task { await self.reload() } }
            if let snapshot = s.snapshot, isUsable(snapshot, s, now) { return (snapshot, nil) }
            return (nil, s.refresh)
        }
        if let ready { return ready }
        guard let wait else { return nil }
        await wait.value
        // Just reloaded (the newest there can be), or an older one still within its limits.
        return state.withLock { s in s.snapshot.flatMap { s.lastFailure == nil || isUsable($0, s, .now) ? $0 : nil } }
    }

    private func isUsable(_ snapshot: Snapshot, _ s: State, _ now: ContinuousClock.Instant) -> Bool {
        let age = now - snapshot.loadedAt
        return age < timing.expireAfter || (s.lastFailure != nil && age < timing.staleOnError)
    }

    private func reload() async {
        let started = ContinuousClock.now
        let used: [String] = state.withLock { s in
            guard !s.used.isEmpty, started - s.lastUseFlush >= timing.useFlushInterval else { return [] }
            defer { s.used.removeAll(); s.lastUseFlush = started }
            return Array(s.used)
        }
        if !used.isEmpty {
            do { try await source.recordUse(keyIDs: used) } catch {
                logger.notice("auth.last_used.failed", metadata: ["error": "\(error)"])
            }
        }
        do {
            let snapshot = Snapshot(try await source.activeKeys(), loadedAt: started)
            state.withLock { s in
                s.snapshot = snapshot
                s.lastFailure = nil
                s.refresh = nil
            }
        } catch {
            logger.warning("auth.keys.reload_failed", metadata: ["error": "\(error)"])
            state.withLock { s in
                s.lastFailure = .now
                s.refresh = nil
            }
        }
    }
}
