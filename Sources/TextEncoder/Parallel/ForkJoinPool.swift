import CTextKernels
import Foundation

/// A small persistent fork-join pool (plain pthreads, in CTextKernels) that splits one forward
/// pass over the cores. A forward forks 18–42 times (3 or 7 per layer), each fork a millisecond or
/// less of work, so a fork must cost microseconds: the pool's threads spin briefly between forks
/// and park when idle. (Not the Swift cooperative pool: the encoder runs on the model worker, a
/// blocking thread of its own, and a fork blocks until all its parts are done.)
final class ForkJoinPool: @unchecked Sendable {  // the C pool is driven by one caller at a time: `busy` guards it
    /// One pool per process, one thread per core (the caller being one of them), created on first use.
    static let shared = ForkJoinPool(threads: ProcessInfo.processInfo.activeProcessorCount)

    /// Threads a fork can use, the caller included.
    let threads: Int
    private let pool: OpaquePointer
    private let busy = NSLock()

    init(threads: Int) {
        guard let pool = CTextKernels_poolCreate(threads) else { fatalError("cannot allocate the fork-join pool") }
        self.pool = pool
        self.threads = CTextKernels_poolThreads(pool)
    }

    deinit {
        CTextKernels_poolDestroy(pool)
    }

    /// Runs `body` with up to `width` threads of the pool when no other caller is using it, else
    /// with a single-thread fork (the caller runs every part itself): a second concurrent caller
    /// never waits for the first.
    func withFork<R>(width: Int, _ body: (Fork) -> R) -> R {
        guard width > 1, threads > 1, busy.try() else { return body(.serial) }
        defer { busy.unlock() }
        return body(Fork(pool: self, width: min(width, threads)))
    }

    /// Calls `part(i)` for every `i` in `0..<width`, each on its own thread (0 on the caller), and
    /// returns when all have returned.
    fileprivate func run(width: Int, _ part: (Int) -> Void) {
        withoutActuallyEscaping(part) { part in
            var task = Parts(part: part)
            withUnsafeMutablePointer(to: &task) { context in
                CTextKernels_poolRun(pool, width, { context, index in
                    context!.assumingMemoryBound(to: ForkJoinPool.Parts.self).pointee.part(index)
                }, context)
            }
        }
    }

    private struct Parts {
        let part: (Int) -> Void
    }
}

/// The threads one call may fork onto: `width` parts, run in parallel when a pool is attached.
struct Fork {
    fileprivate let pool: ForkJoinPool?
    let width: Int

    static let serial = Fork(width: 1)

    /// A fork whose `width` parts run one after another on the caller.
    init(width: Int) {
        self.init(pool: nil, width: width)
    }

    fileprivate init(pool: ForkJoinPool?, width: Int) {
        self.pool = pool
        self.width = width
    }

    /// Calls `part(i)` for `i` in `0..<width` (in parallel when the fork has a pool) and returns
    /// when every part is done.
    func run(_ part: (Int) -> Void) {
        if let pool, width > 1 {
            pool.run(width: width, part)
        } else {
            for i in 0..<width { part(i) }
        }
    }

    /// Part `index` of `0..<count` cut into `width` nearly equal ranges, boundaries rounded to
    /// `multiple` so each part starts on a cache line when `multiple` is 16 floats.
    func slice(_ count: Int, part index: Int, multiple: Int = 1) -> Range<Int> {
        let units = (count + multiple - 1) / multiple
        func boundary(_ i: Int) -> Int { min(count, (units * i / width) * multiple) }
        return boundary(index)..<(index == width - 1 ? count : boundary(index + 1))
    }
}
