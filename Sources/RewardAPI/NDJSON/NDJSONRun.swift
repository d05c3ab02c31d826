import RewardService

/// Consecutive NDJSON lines scored as one request: the same head, user and prompt, plain feature
/// items of the head's dimension and no gpm `reference`. One service call (one model-worker job,
/// one shared-head pass) answers them all instead of one call per line. gpm lines are never
/// merged: a gpm score is relative to the other items of its request.
struct NDJSONRun {
    struct Key: Equatable {
        var head: String?
        var user: UserSelector
        var prompt: Item?
    }

    struct Line {
        var number: Int
        var query: ScoreQuery
    }

    private(set) var key: Key?
    private(set) var lines: [Line] = []
    private(set) var items = 0

    var isEmpty: Bool { lines.isEmpty }

    /// Whether `line` (with merge key `key`, nil when it must go alone) continues this run.
    func accepts(_ key: Key?, items count: Int, limit: Int) -> Bool {
        guard let key, let current = self.key else { return false }
        return key == current && items + count <= limit
    }

    mutating func append(_ line: Line, key: Key?) {
        if lines.isEmpty { self.key = key }
        lines.append(line)
        items += line.query.items.count
    }

    /// Takes the lines out, leaving an empty run.
    mutating func take() -> NDJSONRun {
        defer { self = NDJSONRun() }
        return self
    }

    /// The key under which `q` may be merged with its neighbours, or nil when it must be scored on
    /// its own (gpm, a reference, text items, or anything the single-request path must judge).
    static func key(for q: ScoreQuery, head info: HeadInfo?) -> Key? {
        guard let info, info.kind != "gpm", q.reference == nil else { return nil }
        for item in q.items {
            guard case .features(let f) = item, f.count == info.featureDim else { return nil }
        }
        if let prompt = q.prompt {
            guard case .features(let f) = prompt, f.count == info.promptDim else { return nil }
        }
        return Key(head: q.head, user: q.user, prompt: q.prompt)
    }

    /// The one request that scores every line's items in order.
    var merged: ScoreQuery {
        var all: [Item] = []
        all.reserveCapacity(items)
        for line in lines { all += line.query.items }
        return ScoreQuery(head: key?.head, user: key?.user ?? .population, prompt: key?.prompt, items: all)
    }
}
