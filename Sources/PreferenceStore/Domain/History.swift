/// Opaque keyset position in a user's history. Its `token` is safe to hand to clients and parse back.
public struct Cursor: Hashable, Sendable, CustomStringConvertible {
    let position: Int64

    init(position: Int64) { self.position = position }

    /// Parses a token produced by `token`; nil for anything else.
    public init?(token: String) {
        guard token.hasPrefix("c"), let value = Int64(token.dropFirst()), value >= 0 else { return nil }
        position = value
    }

    public var token: String { "c\(position)" }
    public var description: String { token }
}

public enum HistoryOrder: Sendable, Equatable {
    /// Oldest first: pages stay stable while new comparisons are appended (they land on later pages).
    case oldestFirst
    case newestFirst
}

public struct HistoryQuery: Sendable, Equatable {
    public static let maxLimit = 1000

    public var user: UserKey
    /// Only comparisons recorded in this feature space; nil for all.
    public var featureSpace: String?
    public var after: Cursor?
    public var limit: Int
    public var order: HistoryOrder

    public init(
        user: UserKey, featureSpace: String? = nil, after: Cursor? = nil, limit: Int = 100,
        order: HistoryOrder = .oldestFirst
    ) {
        self.user = user
        self.featureSpace = featureSpace
        self.after = after
        self.limit = limit
        self.order = order
    }
}

public struct HistoryPage: Sendable, Equatable {
    public var comparisons: [StoredComparison]
    /// Where the next page starts; nil when this page is the last one.
    public var nextCursor: Cursor?

    public init(comparisons: [StoredComparison], nextCursor: Cursor?) {
        self.comparisons = comparisons
        self.nextCursor = nextCursor
    }
}
