/// Timers of one event loop: a binary min-heap of (deadline, id) plus the callbacks by id.
/// Cancelling removes the callback only; its heap entry is skipped when it surfaces.
struct TimerHeap {
    private struct Entry {
        let deadline: UInt64
        let id: UInt64
    }
    private var heap: [Entry] = []
    private var callbacks: [UInt64: () -> Void] = [:]
    private var nextID: UInt64 = 1

    var nextDeadline: UInt64? {
        mutating get {
            while let top = heap.first, callbacks[top.id] == nil { pop() }
            return heap.first?.deadline
        }
    }

    mutating func schedule(at deadline: UInt64, _ callback: @escaping () -> Void) -> UInt64 {
        let id = nextID
        nextID += 1
        callbacks[id] = callback
        heap.append(Entry(deadline: deadline, id: id))
        siftUp(heap.count - 1)
        return id
    }

    mutating func cancel(_ id: UInt64) { callbacks.removeValue(forKey: id) }

    /// Removes and returns the callbacks due at `now`, earliest first.
    mutating func popExpired(now: UInt64, into due: inout [() -> Void]) {
        while let top = heap.first, top.deadline <= now {
            pop()
            if let callback = callbacks.removeValue(forKey: top.id) { due.append(callback) }
        }
    }

    var isEmpty: Bool { callbacks.isEmpty }

    private mutating func pop() {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return }
        heap[0] = last
        siftDown(0)
    }

    private mutating func siftUp(_ index: Int) {
        var child = index
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].deadline < heap[parent].deadline else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ index: Int) {
        var parent = index
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            var smallest = left
            if left + 1 < heap.count && heap[left + 1].deadline < heap[left].deadline { smallest = left + 1 }
            guard heap[smallest].deadline < heap[parent].deadline else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
