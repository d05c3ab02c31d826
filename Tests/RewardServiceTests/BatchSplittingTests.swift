import Foundation
import Synchronization
import Testing
@testable import RewardService

struct BatchSplittingTests {
    @Test func splitsOnlyLongWorkThatFitsOneBatchIntoTallEnoughHalves() {
        let policy = BatchSplitting(minimumSeconds: 0.002, minimumHalf: 24)
        // 64 items at 80 µs each = 5 ms: two halves.
        #expect(policy.budget(queuedCost: 64, maxBatchCost: 1024, secondsPerCost: 80e-6) == 32)
        #expect(policy.budget(queuedCost: 59, maxBatchCost: 1024, secondsPerCost: 80e-6) == 30)
        // A cheap head (2 µs per item, 0.13 ms per batch), no pace measured yet, halves under 24
        // items, or more queued than one batch holds: one batch, as before.
        #expect(policy.budget(queuedCost: 64, maxBatchCost: 1024, secondsPerCost: 2e-6) == 1024)
        #expect(policy.budget(queuedCost: 64, maxBatchCost: 1024, secondsPerCost: nil) == 1024)
        #expect(policy.budget(queuedCost: 47, maxBatchCost: 1024, secondsPerCost: 1e-3) == 1024)
        #expect(policy.budget(queuedCost: 2000, maxBatchCost: 1024, secondsPerCost: 80e-6) == 1024)
        #expect(BatchSplitting.disabled.budget(queuedCost: 64, maxBatchCost: 1024, secondsPerCost: 1) == 1024)
    }

    /// Forty requests queue behind a running job; the worker runs them as two batches of twenty (the
    /// second not split again), and the first twenty callers have their answers while the second
    /// batch is still computing (that batch waits for them). Every caller gets its own answer.
    @Test func firstHalfIsAnsweredBeforeTheSecondHalfComputes() async throws {
        let worker = ModelWorker()
        defer { worker.shutdown() }
        let batches = Mutex<[[Int]]>([])
        let started = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let answered = DispatchSemaphore(value: 0)
        let firstHalfSeen = Mutex<Bool?>(nil)
        let batcher = Batcher<Int, Int>(worker: worker, splitting: BatchSplitting(minimumSeconds: 0, minimumHalf: 4)) { inputs in
            let index = batches.withLock { $0.append(inputs); return $0.count - 1 }
            if index == 0 {
                started.signal()
                release.wait()
            } else if index == 2 {
                // Pipelining: all of the previous batch's callers have resumed before this one runs.
                let previous = batches.withLock { $0[1].count }
                let all = (0..<previous).allSatisfy { _ in answered.wait(timeout: .now() + 10) == .success }
                firstHalfSeen.withLock { $0 = all }
            }
            return inputs.map { .success($0 * 3 + 1) }
        }
        try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            group.addTask { (0, try await batcher.submit(0)) }
            await withCheckedContinuation { c in DispatchQueue.global().async { started.wait(); c.resume() } }
            for i in 1...40 {
                group.addTask {
                    let out = try await batcher.submit(i)
                    answered.signal()
                    return (i, out)
                }
            }
            while worker.queuedCostNow < 40 { try await Task.sleep(for: .milliseconds(1)) }
            release.signal()
            var seen: Set<Int> = []
            for try await (i, out) in group {
                #expect(out == i * 3 + 1)
                seen.insert(i)
            }
            #expect(seen == Set(0...40))
        }
        let sizes = batches.withLock { $0.map(\.count) }
        #expect(sizes == [1, 20, 20])
        #expect(firstHalfSeen.withLock { $0 } == true)
        // The halves are consecutive slices of the queue, in arrival order.
        let queued = batches.withLock { $0[1] + $0[2] }
        #expect(Set(queued) == Set(1...40))
    }
}
