import HTTPServer

/// An API key as clients hold it: `rk_<id>_<secret>`. The id (4…32 lowercase letters/digits) is public and
/// finds the stored row; the secret (32…256 letters/digits; 64 hex digits = 256 random bits when generated)
/// is never stored — only SHA-256 of the whole string is. No salt is needed: the input is 256 random bits.
public struct APIKeyToken: Sendable, Equatable, CustomStringConvertible {
    public static let prefix = "rk_"

    public let id: String
    let secret: String

    /// Parses a key string; nil when it does not have the shape of a key.
    public init?(_ text: some StringProtocol) {
        guard text.hasPrefix(Self.prefix) else { return nil }
        let rest = text.dropFirst(Self.prefix.count)
        guard let separator = rest.firstIndex(of: "_") else { return nil }
        let id = rest[..<separator], secret = rest[rest.index(after: separator)...]
        guard (4...32).contains(id.utf8.count), id.utf8.allSatisfy(Self.isLowerAlphanumeric),
              (32...256).contains(secret.utf8.count), secret.utf8.allSatisfy(Self.isAlphanumeric)
        else { return nil }
        self.id = String(id)
        self.secret = String(secret)
    }

    /// A fresh key: 60 random bits of id, 256 of secret, from the system CSPRNG (getrandom on Linux).
    public static func generate() -> APIKeyToken {
        var random = SystemRandomNumberGenerator()
        let id = hex((0..<8).map { _ in UInt8.random(in: 0...255, using: &random) }).prefix(15)
        let secret = hex((0..<32).map { _ in UInt8.random(in: 0...255, using: &random) })
        return APIKeyToken(id: "k" + id, secret: secret)
    }

    private init(id: String, secret: String) {
        self.id = id
        self.secret = secret
    }

    /// The full key, to show once.
    public var string: String { Self.prefix + id + "_" + secret }

    /// What the store keeps: SHA-256 of the full key string.
    public var hash: [UInt8] { Digest.sha256(Array(string.utf8)) }

    /// Never the secret, so keys cannot leak through logs or interpolation.
    public var description: String { Self.prefix + id + "_…" }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func isLowerAlphanumeric(_ c: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c)
    }

    private static func isAlphanumeric(_ c: UInt8) -> Bool {
        isLowerAlphanumeric(c) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c)
    }
}

/// An authenticated caller: the key's tenant scopes every user, state and history it touches.
public struct Principal: Sendable, Equatable {
    public var keyID: String
    public var tenant: String
    public var scopes: Set<Scope>

    public init(keyID: String, tenant: String, scopes: Set<Scope>) {
        self.keyID = keyID
        self.tenant = tenant
        self.scopes = scopes
    }

    public func has(_ scope: Scope) -> Bool { scopes.contains(scope) }
}
