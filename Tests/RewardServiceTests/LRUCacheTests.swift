import Testing
@testable import RewardService

struct LRUCacheTests {
    @Test func evictsLeastRecentlyUsed() {
        let c = LRUCache<String, Int>(capacity: 2)
        c.set("a", 1)
        c.set("b", 2)
        #expect(c.get("a") == 1)  // a is now most recent
        c.set("c", 3)             // evicts b
        #expect(c.get("b") == nil)
        #expect(c.get("a") == 1)
        #expect(c.get("c") == 3)
        #expect(c.count == 2)
        #expect(c.stats.hits == 3 && c.stats.misses == 1)
    }

    @Test func removeAndReuseSlots() {
        let c = LRUCache<Int, Int>(capacity: 3)
        for i in 0 ..< 3 { c.set(i, i) }
        c.remove(1)
        c.removeAll { $0 == 2 }
        #expect(c.count == 1)
        for i in 10 ..< 13 { c.set(i, i) }
        #expect(c.count == 3)
        #expect(c.get(0) == nil)  // evicted as least recent
        #expect(c.get(12) == 12)
    }
}
