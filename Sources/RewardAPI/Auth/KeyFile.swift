/// A bootstrap key file (`REWARD_BOOTSTRAP_KEY_FILE`, e.g. a mounted Kubernetes secret): one key per line,
/// `rk_<id>_<secret> [tenant=T] [scopes=score,write,admin] [label=L]`; blank lines and `#` comments are
/// ignored. Defaults: tenant `default`, every scope, label `bootstrap`.
public struct KeyFileEntry: Sendable, Equatable {
    public var token: APIKeyToken
    public var tenant: String
    public var scopes: [Scope]
    public var label: String

    public static let defaultTenant = "default"

    public init(token: APIKeyToken, tenant: String, scopes: [Scope], label: String) {
        self.token = token
        self.tenant = tenant
        self.scopes = scopes
        self.label = label
    }

    public static func parse(_ text: String) throws(AuthError) -> [KeyFileEntry] {
        var entries: [KeyFileEntry] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: " ").trimmingCharacters(in: "\r")
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let token = APIKeyToken(fields[0]) else {
                throw AuthError("line \(number + 1): not an API key (expected rk_<id>_<secret>, as `reward keys generate` prints)")
            }
            var entry = KeyFileEntry(token: token, tenant: defaultTenant, scopes: Scope.all, label: "bootstrap")
            for field in fields.dropFirst() {
                let pair = field.split(separator: "=", maxSplits: 1)
                guard pair.count == 2, !pair[1].isEmpty else { throw AuthError("line \(number + 1): expected name=value, got \"\(field)\"") }
                switch pair[0] {
                case "tenant": entry.tenant = String(pair[1])
                case "scopes": entry.scopes = try Scope.parseList(String(pair[1]))
                case "label": entry.label = String(pair[1])
                default: throw AuthError("line \(number + 1): unknown field \"\(pair[0])\" (tenant, scopes, label)")
                }
            }
            guard !entries.contains(where: { $0.token.id == token.id }) else {
                throw AuthError("line \(number + 1): key id \(token.id) appears twice")
            }
            entries.append(entry)
        }
        guard !entries.isEmpty else { throw AuthError("no key in the file") }
        return entries
    }

    /// The line `reward keys generate` prints.
    public var line: String {
        "\(token.string) tenant=\(tenant) scopes=\(scopes.map(\.name).joined(separator: ",")) label=\(label)"
    }
}

extension String {
    func trimmingCharacters(in set: Character) -> String { Substring(self).trimmingCharacters(in: set) }
}
