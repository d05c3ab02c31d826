/// What a key may do. Scopes are independent (admin does not imply score): a key gets exactly the
/// scopes it was created with. openapi.yaml lists each operation's scope as `x-required-scope`.
public struct Scope: Hashable, Sendable, CustomStringConvertible {
    public let name: String

    /// Stateless model work and reading head metadata: score, compare, rank, embed, stateless adapt,
    /// next-comparison, GET /v1/heads.
    public static let score = Scope(name: "score")
    /// A tenant's users: store, edit and delete comparisons, adapt stored users, read users and histories,
    /// delete users. Reading is here too because histories are the tenant's data, not model output.
    public static let write = Scope(name: "write")
    /// Operating the service (e.g. `POST /v1/admin/heads:reload`).
    public static let admin = Scope(name: "admin")

    public static let all: [Scope] = [.score, .write, .admin]

    private init(name: String) { self.name = name }

    /// A known scope by name, or nil.
    public init?(named name: String) {
        guard let known = Self.all.first(where: { $0.name == name }) else { return nil }
        self = known
    }

    /// `score,write` → scopes; throws on an unknown or empty name (a typo must not silently drop a scope).
    public static func parseList(_ text: String) throws(AuthError) -> [Scope] {
        var scopes: [Scope] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = part.trimmingCharacters(in: " ")
            guard let scope = Scope(named: name) else {
                throw AuthError("unknown scope \"\(name)\" (known: \(all.map(\.name).joined(separator: ", ")))")
            }
            if !scopes.contains(scope) { scopes.append(scope) }
        }
        return scopes
    }

    public var description: String { name }
}

/// Who may call a route: anyone (health, metrics, the contract) or a key with one scope.
public enum RouteAccess: Sendable, Equatable {
    case open
    case requires(Scope)
}

/// Failures of key handling outside a request (bad key strings, bad scope lists, bootstrap files).
public struct AuthError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        var s = self
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}
