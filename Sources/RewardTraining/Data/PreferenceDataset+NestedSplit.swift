import RewardModel

extension PreferenceDataset {
    /// A validation split carved out of the training split, for choosing settings without touching
    /// test pairs: every user that has test pairs loses them, and a `fraction` of that user's
    /// training prompts (whole topics; single pairs when a pair has no prompt) becomes its new test
    /// split. Users without test pairs keep their training pairs. Same seed, same split.
    public func nestedSplit(fraction: Double, seed: UInt64) -> PreferenceDataset {
        precondition(fraction > 0 && fraction < 1, "fraction must be in (0, 1)")
        var generator = SeededGenerator(seed: seed)
        let evaluated = Set(pairs.filter { $0.split == .test }.map(\.user))
        var out = self
        out.pairs = pairs.filter { $0.split == .train }
        out.source["nested_split"] = "fraction \(fraction), seed \(seed)"
        let byUser = Dictionary(grouping: out.pairs.indices.filter { evaluated.contains(out.pairs[$0].user) }) { out.pairs[$0].user }
        for user in byUser.keys.sorted() {
            let indices = byUser[user]!
            // A group is a prompt (topic) or, without one, the pair itself.
            let group: (Int) -> Int = { i in out.pairs[i].prompt ?? -1 - i }
            let groups = Set(indices.map(group)).sorted().shuffled(using: &generator)
            guard groups.count > 1 else { continue }
            let held = Set(groups.prefix(max(1, Int((Double(groups.count) * fraction).rounded()))))
            for i in indices where held.contains(group(i)) { out.pairs[i].split = .test }
        }
        return out
    }
}
