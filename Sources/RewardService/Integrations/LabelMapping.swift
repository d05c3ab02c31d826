/// The mapping rules from a tool's label to comparisons (docs/INTEGRATIONS.md, "Mapping rules"):
/// - Pairwise: one comparison, the selected item ≻ the other.
/// - Ranking: every pair of items in different tiers, the better tier ≻ the worse; ties give nothing.
/// - Client id: `<tool>:<project>:<task>:<label id>:<a>~<b>` with the two item ids in sorted order, so an
///   edited label (even one that flips the pair) maps to the same id and replaces the earlier comparison.
public enum LabelMapping {
    /// Most items in a ranking (n items give up to n(n−1)/2 comparisons).
    public static let maxRankedItems = 64

    public static func comparisons(_ task: LabelTask, label: String, answer: LabelAnswer) throws(ScoringError)
        -> [LabelComparison]
    {
        let byID = Dictionary(task.items.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        guard byID.count == task.items.count else {
            throw ScoringError(.invalidInput, "the task's items must have distinct ids")
        }
        for item in task.items where item.text.isEmpty {
            throw ScoringError(.invalidInput, "item \"\(item.id)\" of task \(task.task) has no text")
        }
        let tiers: [[String]]
        switch (task.shape, answer) {
        case let (.pairwise(left, right), .chose(id)):
            guard id == left.id || id == right.id else {
                throw ScoringError(.invalidInput, "the answer picks \"\(id)\", which is neither \"\(left.id)\" nor \"\(right.id)\"")
            }
            tiers = [[id], [id == left.id ? right.id : left.id]]
        case let (.ranking(items), .ranked(ranked)):
            guard items.count <= maxRankedItems else {
                throw ScoringError(.invalidInput, "a ranking holds at most \(maxRankedItems) items, got \(items.count)")
            }
            tiers = ranked
        case let (_, .ranked(ranked)):
            tiers = ranked
        case (.ranking, .chose(let id)):
            tiers = [[id], task.items.map(\.id).filter { $0 != id }]
        }
        var seen = Set<String>()
        for id in tiers.joined() {
            guard byID[id] != nil else { throw ScoringError(.invalidInput, "the answer names \"\(id)\", which is not an item of task \(task.task)") }
            guard seen.insert(id).inserted else { throw ScoringError(.invalidInput, "the answer names \"\(id)\" twice") }
        }
        var out: [LabelComparison] = []
        for (i, better) in tiers.enumerated() {
            for worse in tiers.dropFirst(i + 1) {
                for b in better {
                    for w in worse {
                        out.append(LabelComparison(
                            id: clientID(task, label: label, b, w), prompt: task.prompt, chosen: byID[b]!, rejected: byID[w]!))
                    }
                }
            }
        }
        return out
    }

    /// The stable id of the comparison between items `a` and `b` of one label (order-independent).
    public static func clientID(_ task: LabelTask, label: String, _ a: String, _ b: String) -> String {
        let (x, y) = a < b ? (a, b) : (b, a)
        let parts = [task.tool.rawValue, task.project, task.task, label].map(escape)
        return (parts + ["\(escape(x))~\(escape(y))"]).joined(separator: ":")
    }

    /// The key under which the service remembers which comparisons (and user) a label produced.
    public static func sourceKey(tool: LabelTask.Tool, project: String, label: String) -> String {
        [tool.rawValue, project, label].map(escape).joined(separator: ":")
    }

    /// `:` and `~` separate parts of an id; escape them (and `%`) inside a part so ids never collide.
    static func escape(_ part: String) -> String {
        guard part.contains(where: { $0 == ":" || $0 == "~" || $0 == "%" }) else { return part }
        var out = ""
        for c in part {
            switch c {
            case "%": out += "%25"
            case ":": out += "%3A"
            case "~": out += "%7E"
            default: out.append(c)
            }
        }
        return out
    }

    /// Ranks (1 = best; equal ranks are ties) → tiers, best first.
    public static func tiers(fromRanks ranks: [(id: String, rank: Int)]) -> [[String]] {
        let grouped = Dictionary(grouping: ranks, by: \.rank)
        return grouped.keys.sorted().map { grouped[$0]!.map(\.id) }
    }
}
