// Measures the cost of hopping between an event loop and Swift tasks — the path every HTTP
// response takes (loop parses → responder task → `loop.execute` hands the response back).
// Run by `make bench` (release build): `http-bench [iterations]`.
import HTTPServer
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

func now() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

let iterations = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 200_000 : 200_000
let group = try EventLoopGroup(loopCount: 1)
let loop = group.loops[0]

/// Task → loop → Task: a task hands work to the loop and waits for it (a stream write, a body read).
func taskToLoopAndBack(_ n: Int) async -> Double {
    let start = now()
    for _ in 0..<n {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            loop.execute { continuation.resume() }
        }
    }
    return Double(now() - start) / Double(n) / 1000
}

/// loop → Task → loop: what one request costs (dispatch the responder, hop back with the response).
final class Chain: Sendable {
    let remaining: Atomic<Int>
    let done: Mutex<CheckedContinuation<Void, Never>?> = Mutex(nil)
    init(_ n: Int) { remaining = Atomic(n) }

    func step() {  // on the loop
        if remaining.subtract(1, ordering: .relaxed).newValue < 0 {
            let continuation = done.withLock { $0.take() }
            continuation?.resume()
            return
        }
        Task { loop.execute { self.step() } }
    }
}

func loopToTaskAndBack(_ n: Int) async -> Double {
    let chain = Chain(n)
    let start = now()
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        chain.done.withLock { $0 = continuation }
        loop.execute { chain.step() }
    }
    return Double(now() - start) / Double(n) / 1000
}

/// Many tasks hopping at once (a loaded server): amortised cost per round trip.
func concurrentTaskToLoopAndBack(_ n: Int, tasks: Int) async -> Double {
    let start = now()
    await withTaskGroup(of: Void.self) { group in
        for _ in 0..<tasks {
            group.addTask {
                for _ in 0..<(n / tasks) {
                    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                        loop.execute { continuation.resume() }
                    }
                }
            }
        }
    }
    return Double(now() - start) / Double(n) / 1000
}

_ = await taskToLoopAndBack(10_000)  // warm up threads
_ = await loopToTaskAndBack(10_000)
let a = await taskToLoopAndBack(iterations)
let b = await loopToTaskAndBack(iterations)
let c = await concurrentTaskToLoopAndBack(iterations, tasks: 32)
print("| hop (\(iterations) round trips, sequential) | µs per round trip |")
print("|---|---|")
print("| task → loop.execute → task | \(String(format: a)) |")
print("| loop → Task { } → loop.execute → loop (one request's hops) | \(String(format: b)) |")
print("| task → loop.execute → task, 32 tasks at once (amortised) | \(String(format: c)) |")
group.shutdown()

func String(format value: Double) -> String {
    let scaled = (value * 100).rounded() / 100
    return "\(scaled)"
}
