/// A first-in first-out queue over an array with a moving head: O(1) amortised at both ends, and a
/// taken element is released at once (its slot is cleared), so a queue that never runs empty does not
/// keep everything it ever held alive. The slot array is compacted once half of it is consumed.
/// Not thread-safe: its owner keeps it under a lock. Public for the API's NDJSON result queue.
public struct FIFO<Element> {
    /// Slots from `head` on are queued; slots before it are consumed and hold nil.
    private var slots: [Element?] = []
    private var head = 0

    public init() {}

    public var isEmpty: Bool { head == slots.count }

    /// The oldest element, without taking it.
    public var first: Element? { isEmpty ? nil : slots[head] }

    public mutating func append(_ element: Element) {
        slots.append(element)
    }

    /// Takes the oldest element.
    public mutating func popFirst() -> Element? {
        guard head < slots.count else { return nil }
        let element = slots[head].take()
        head += 1
        if head == slots.count {
            slots.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 64 && head * 2 >= slots.count {
            slots.removeFirst(head)
            head = 0
        }
        return element
    }

    public mutating func removeAll() {
        slots = []
        head = 0
    }

    /// Every element the storage still references, consumed slots included: what the queue keeps
    /// alive (the queued elements only, as long as taking an element releases it).
    public var referenced: some Sequence<Element> { slots.lazy.compactMap { $0 } }

    /// Slots the array holds, consumed ones included: bounded by about twice the queued count.
    var slotCount: Int { slots.count }
}
