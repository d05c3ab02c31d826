/// Identifies a user within a tenant. Ids are opaque strings stored verbatim (any Unicode, no NUL).
public struct UserKey: Hashable, Sendable, CustomStringConvertible {
    public static let defaultTenant = "default"

    public var tenant: String
    public var userID: String

    public init(tenant: String = UserKey.defaultTenant, userID: String) {
        self.tenant = tenant
        self.userID = userID
    }

    public var description: String { "\(tenant)/\(userID)" }
}
