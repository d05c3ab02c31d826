import Foundation
import RewardModel
import Locking

/// The loaded heads by name, one of them the default. The whole set is swapped atomically on
/// reload, so a request keeps the `ServedHead` it started with.
public final class HeadCatalog: Sendable {
    public struct Source: Sendable, Equatable {
        public var name: String
        public var directory: String
        public init(name: String, directory: String) {
            self.name = name
            self.directory = directory
        }

        /// `name=path` or a bare path (named after its last path component).
        public init(argument: String) {
            if let eq = argument.firstIndex(of: "="), eq != argument.startIndex {
                name = String(argument[..<eq])
                directory = String(argument[argument.index(after: eq)...])
            } else {
                directory = argument
                name = URL(fileURLWithPath: argument).standardizedFileURL.lastPathComponent
            }
        }
    }

    struct Snapshot: Sendable {
        var heads: [String: ServedHead]
        var order: [String]
        var defaultName: String?
    }

    private let snapshot: Locked<Snapshot>
    /// What `load` read, for `reload()`; reloads run one at a time.
    let loaded = Locked<(sources: [Source], defaultName: String?)>(([], nil))
    let reloading = Locked(())
    let worker: ModelWorker
    let maxBatchItems: Int

    init(worker: ModelWorker, maxBatchItems: Int) {
        self.worker = worker
        self.maxBatchItems = maxBatchItems
        snapshot = Locked(Snapshot(heads: [:], order: [], defaultName: nil))
    }

    /// Loads every source; on any failure nothing changes and the error names the bad head.
    func load(_ sources: [Source], defaultName: String?) throws(ScoringError) {
        var heads: [String: ServedHead] = [:]
        for s in sources {
            guard heads[s.name] == nil else { throw ScoringError(.invalidInput, "two heads are named \(s.name)") }
            do {
                heads[s.name] = ServedHead(name: s.name, head: try RewardHead.load(directory: s.directory),
                                           worker: worker, maxBatchItems: maxBatchItems)
            } catch {
                throw ScoringError(.invalidInput, "cannot load head \(s.name) from \(s.directory): \(error)")
            }
        }
        try install(heads, order: sources.map(\.name), defaultName: defaultName)
        loaded.withLock { $0 = (sources, defaultName) }
    }

    /// The current set (for a reload that keeps some of it).
    var current: Snapshot { snapshot.withLock { $0 } }

    /// Installs already-built heads (tests, converters).
    func install(_ heads: [String: ServedHead], order: [String], defaultName: String?) throws(ScoringError) {
        let chosen = defaultName ?? order.first
        if let chosen, heads[chosen] == nil { throw ScoringError(.invalidInput, "default head \(chosen) is not loaded") }
        snapshot.withLock { $0 = Snapshot(heads: heads, order: order, defaultName: chosen) }
    }

    /// The named head, or the default one for nil.
    func head(_ name: String?) throws(ScoringError) -> ServedHead {
        let s = snapshot.withLock { $0 }
        guard let name = name ?? s.defaultName else { throw ScoringError(.headNotFound, "no head is loaded") }
        guard let head = s.heads[name] else {
            throw ScoringError(.headNotFound, "unknown head \"\(name)\"; loaded: \(s.order.joined(separator: ", "))", pointer: "/head")
        }
        return head
    }

    public var infos: [HeadInfo] {
        let s = snapshot.withLock { $0 }
        return s.order.compactMap { name in
            guard var info = s.heads[name]?.info else { return nil }
            info.isDefault = name == s.defaultName
            return info
        }
    }

    public var isEmpty: Bool { snapshot.withLock { $0.heads.isEmpty } }
}
