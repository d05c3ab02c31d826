import Testing

@testable import HTTPServer

struct FIFOTests {
    @Test func takesInInsertionOrderAcrossCompactions() {
        var queue = FIFO<Int>()
        var expected = 0
        for i in 0..<1000 {
            queue.append(i)
            if i % 3 != 0, let first = queue.popFirst() {  // the backlog grows by one every third step
                #expect(first == expected)
                expected += 1
            }
        }
        while let first = queue.popFirst() {
            #expect(first == expected)
            expected += 1
        }
        #expect(expected == 1000)
        #expect(queue.isEmpty)
        #expect(queue.first == nil)
    }

    /// A queue that never runs empty must still release what was taken, and its storage must not
    /// grow with the total that passed through, only with the backlog.
    @Test func releasesTakenElementsWhileTheBacklogNeverEmpties() {
        final class Box {}
        var queue = FIFO<Box>()
        for _ in 0..<4 { queue.append(Box()) }
        weak var taken: Box?
        var largestStorage = 0
        for _ in 0..<10_000 {
            queue.append(Box())
            taken = queue.popFirst()
            largestStorage = max(largestStorage, queue.slotCount)
        }
        #expect(taken == nil)
        #expect(Array(queue.referenced).count == 4)  // the backlog only
        #expect(largestStorage <= 2 * 64 + 10)
    }
}
