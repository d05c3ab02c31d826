import Foundation
import Testing
import Locking
@testable import RewardService

struct ModelWorkerTests {
    /// Records the batch sizes `execute` saw; the first call blocks until released so that the
    /// following submissions queue up behind it.
    final class Probe: Sendable {
        let sizes = Locked<[Int]>([])
        let gate = DispatchSemaphore(value: 0)
        let firstCall = Locked(true)
    }

    @Test func idleWorkerRunsAtOnceAndBusyWorkerCoalesces() async throws {
        let worker = ModelWorker()
        defer { worker.shutdown() }
        let probe = Probe()
        let batcher = Batcher<Int, Int>(worker: worker, maxBatchCost: 1000) { inputs in
            let first = probe.firstCall.withLock { f in defer { f = false }; return f }
            if first { probe.gate.wait() }
            probe.sizes.withLock { $0.append(inputs.count) }
            return inputs.map { .success($0 * 2) }
        }
        try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            group.addTask { (0, try await batcher.submit(0)) }
            // Wait until the first job is running (blocked on the gate) before queueing more.
            while probe.firstCall.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(1)) }
            for i in 1 ... 50 { group.addTask { (i, try await batcher.submit(i)) } }
            while worker.queuedCostNow < 50 { try await Task.sleep(for: .milliseconds(1)) }
            probe.gate.signal()
            for try await (i, out) in group { #expect(out == i * 2) }
        }
        #expect(probe.sizes.withLock { $0 } == [1, 50])
    }

    @Test func refusesWorkBeyondTheQueueLimit() async throws {
        let worker = ModelWorker(configuration: .init(maxQueuedCost: 10))
        defer { worker.shutdown() }
        let gate = DispatchSemaphore(value: 0)
        let running = Locked(0)
        let batcher = Batcher<Int, Int>(worker: worker) { inputs in
            running.withLock { $0 += 1 }
            gate.wait()
            return inputs.map { .success($0) }
        }
        async let blocked = batcher.submit(1, cost: 1)
        // Only once the first job occupies the worker is the next one certain to queue behind it.
        while running.withLock({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(1)) }
        async let queued = batcher.submit(2, cost: 8)  // queues (8 ≤ 10)
        while worker.queuedCostNow != 8 { try await Task.sleep(for: .milliseconds(1)) }
        await #expect(throws: ScoringError.self) { try await batcher.submit(3, cost: 5) }
        gate.signal()
        gate.signal()
        #expect(try await blocked == 1)
        #expect(try await queued == 2)
    }

    @Test func perInputErrorsReachOnlyTheirCaller() async throws {
        let worker = ModelWorker()
        defer { worker.shutdown() }
        let batcher = Batcher<Int, Int>(worker: worker) { inputs in
            inputs.map { $0 < 0 ? .failure(ScoringError(.invalidInput, "negative")) : .success($0) }
        }
        #expect(try await batcher.submit(3) == 3)
        await #expect(throws: ScoringError.self) { try await batcher.submit(-1) }
    }
}
