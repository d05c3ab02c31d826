import RewardModel

/// What a head reload did, head by head.
public struct HeadReload: Sendable {
    public struct Outcome: Sendable, Equatable {
        public var name: String
        public var directory: String
        /// The version now serving (the new one, or the old one when loading failed).
        public var version: String?
        /// Why the head could not be loaded (the previous version keeps serving); nil on success.
        public var error: String?
    }

    public var outcomes: [Outcome]
    public var succeeded: Bool { outcomes.allSatisfy { $0.error == nil } }
    public var failed: [Outcome] { outcomes.filter { $0.error != nil } }
}

extension HeadCatalog {
    /// Loads every head again from the directories it was first loaded from and swaps the whole set
    /// in one step. A head whose files are broken keeps its previous version; requests that already
    /// hold a head finish on it (they keep their `ServedHead`), new ones get the new set.
    func reload() -> HeadReload {
        reloading.withLock { _ in
            let (sources, defaultName) = loaded.withLock { $0 }
            // Heads installed in process (tests, tools) have no directory: nothing to reload, keep them.
            guard !sources.isEmpty else { return HeadReload(outcomes: []) }
            let previous = current
            var heads: [String: ServedHead] = [:]
            var outcomes: [HeadReload.Outcome] = []
            for source in sources {
                do {
                    let head = try RewardHead.load(directory: source.directory)
                    let served = ServedHead(name: source.name, head: head, worker: worker, maxBatchItems: maxBatchItems)
                    heads[source.name] = served
                    outcomes.append(.init(name: source.name, directory: source.directory, version: served.version, error: nil))
                } catch {
                    let old = previous.heads[source.name]
                    if let old { heads[source.name] = old }
                    outcomes.append(.init(name: source.name, directory: source.directory, version: old?.version, error: "\(error)"))
                }
            }
            // Sources are the ones that loaded at startup, so every name has a head (new or old).
            do {
                try install(heads, order: sources.map(\.name), defaultName: defaultName)
            } catch {
                return HeadReload(outcomes: outcomes.map { var o = $0; o.error = o.error ?? "\(error)"; return o })
            }
            return HeadReload(outcomes: outcomes)
        }
    }
}

extension RewardService {
    /// Reloads the heads from their directories (SIGHUP, `POST /v1/admin/heads:reload`).
    public func reloadHeads() -> HeadReload { catalog.reload() }
}
