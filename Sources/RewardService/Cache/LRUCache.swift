import Locking

/// A thread-safe least-recently-used cache with a fixed capacity (entries). Lookups and inserts
/// are O(1): a dictionary of nodes in an intrusive doubly-linked list threaded through an array.
public final class LRUCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Node {
        var key: Key
        var value: Value
        var prev: Int
        var next: Int
    }

    private struct State {
        var index: [Key: Int] = [:]
        var nodes: [Node] = []
        var free: [Int] = []
        var head = -1  // most recent
        var tail = -1  // least recent
        var hits = 0
        var misses = 0
    }

    public let capacity: Int
    private let state = Locked(State())

    public init(capacity: Int) {
        precondition(capacity > 0, "an LRU cache needs room for one entry")
        self.capacity = capacity
    }

    public func get(_ key: Key) -> Value? {
        state.withLock { s in
            guard let i = s.index[key] else {
                s.misses += 1
                return nil
            }
            s.hits += 1
            Self.moveToFront(&s, i)
            return s.nodes[i].value
        }
    }

    public func set(_ key: Key, _ value: Value) {
        state.withLock { s in
            if let i = s.index[key] {
                s.nodes[i].value = value
                Self.moveToFront(&s, i)
                return
            }
            let i: Int
            if s.index.count >= capacity {
                i = s.tail
                Self.unlink(&s, i)
                s.index[s.nodes[i].key] = nil
                s.nodes[i] = Node(key: key, value: value, prev: -1, next: -1)
            } else if let f = s.free.popLast() {
                i = f
                s.nodes[i] = Node(key: key, value: value, prev: -1, next: -1)
            } else {
                i = s.nodes.count
                s.nodes.append(Node(key: key, value: value, prev: -1, next: -1))
            }
            s.index[key] = i
            Self.pushFront(&s, i)
        }
    }

    public func remove(_ key: Key) {
        state.withLock { s in
            guard let i = s.index.removeValue(forKey: key) else { return }
            Self.unlink(&s, i)
            s.free.append(i)
        }
    }

    /// Removes every entry whose key matches (e.g. all heads of one user).
    public func removeAll(where match: (Key) -> Bool) {
        state.withLock { s in
            for (k, i) in s.index where match(k) {
                s.index[k] = nil
                Self.unlink(&s, i)
                s.free.append(i)
            }
        }
    }

    public var count: Int { state.withLock { $0.index.count } }
    public var stats: (hits: Int, misses: Int) { state.withLock { ($0.hits, $0.misses) } }

    private static func unlink(_ s: inout State, _ i: Int) {
        let p = s.nodes[i].prev, n = s.nodes[i].next
        if p >= 0 { s.nodes[p].next = n } else { s.head = n }
        if n >= 0 { s.nodes[n].prev = p } else { s.tail = p }
        s.nodes[i].prev = -1
        s.nodes[i].next = -1
    }

    private static func pushFront(_ s: inout State, _ i: Int) {
        s.nodes[i].next = s.head
        s.nodes[i].prev = -1
        if s.head >= 0 { s.nodes[s.head].prev = i }
        s.head = i
        if s.tail < 0 { s.tail = i }
    }

    private static func moveToFront(_ s: inout State, _ i: Int) {
        guard s.head != i else { return }
        unlink(&s, i)
        pushFront(&s, i)
    }
}
