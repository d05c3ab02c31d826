import Foundation
import Testing
@testable import TextEncoder

/// The encoder's fork-join pool: every part runs exactly once per fork, each on its own thread,
/// the fork returns only when all are done, and a caller that finds the pool busy runs alone.
struct ForkJoinPoolTests {
    @Test func everyPartRunsOnceOnItsOwnThreadBeforeTheForkReturns() {
        let pool = ForkJoinPool(threads: 3)
        #expect(pool.threads == 3)
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: 3)
        let threads = UnsafeMutablePointer<pthread_t>.allocate(capacity: 3)
        defer { counts.deallocate(); threads.deallocate() }
        counts.initialize(repeating: 0, count: 3)
        pool.withFork(width: 3) { fork in
            #expect(fork.width == 3)
            for round in 1...300 {
                fork.run { part in
                    counts[part] += 1
                    threads[part] = pthread_self()
                }
                // Every part's write is visible here: the fork joined.
                #expect((0..<3).allSatisfy { counts[$0] == round }, "round \(round)")
            }
        }
        #expect(pthread_equal(threads[0], pthread_self()) != 0, "part 0 runs on the caller")
        #expect(pthread_equal(threads[1], threads[2]) == 0 && pthread_equal(threads[0], threads[1]) == 0)
    }

    @Test func parksWhenIdleAndWakesForTheNextFork() {
        let pool = ForkJoinPool(threads: 2)
        let hits = UnsafeMutablePointer<Int>.allocate(capacity: 2)
        defer { hits.deallocate() }
        hits.initialize(repeating: 0, count: 2)
        for _ in 0..<3 {
            usleep(5_000)  // longer than the 0.2 ms spin: the worker has parked
            pool.withFork(width: 2) { fork in fork.run { hits[$0] += 1 } }
        }
        #expect(hits[0] == 3 && hits[1] == 3)
    }

    @Test func aCallerFindingThePoolBusyRunsSerially() {
        let pool = ForkJoinPool(threads: 2)
        let inner = UnsafeMutablePointer<Int>.allocate(capacity: 2)
        defer { inner.deallocate() }
        inner.initialize(repeating: -1, count: 2)
        pool.withFork(width: 2) { fork in
            fork.run { part in
                guard part == 1 else { return }
                pool.withFork(width: 2) { nested in inner[0] = nested.width }
            }
        }
        #expect(inner[0] == 1)
        pool.withFork(width: 2) { inner[1] = $0.width }
        #expect(inner[1] == 2, "released after the first call")
        #expect(pool.withFork(width: 5) { $0.width } == 2, "width capped at the pool's threads")
    }

    @Test(arguments: [(1152, 2, 16), (384, 3, 16), (7, 2, 1), (1, 2, 16), (256, 2, 1), (0, 2, 1)])
    func slicesCoverTheRangeInOrder(count: Int, width: Int, multiple: Int) {
        let fork = Fork(width: width)
        let slices = (0..<width).map { fork.slice(count, part: $0, multiple: multiple) }
        #expect(slices.first?.lowerBound == 0 && slices.last?.upperBound == count)
        for (a, b) in zip(slices, slices.dropFirst()) { #expect(a.upperBound == b.lowerBound) }
        for s in slices.dropFirst() { #expect(s.lowerBound % multiple == 0 || s.lowerBound == count) }
        if count >= width * multiple {
            let sizes = slices.map { $0.count }
            #expect(sizes.max()! - sizes.min()! <= multiple)
        }
    }
}
