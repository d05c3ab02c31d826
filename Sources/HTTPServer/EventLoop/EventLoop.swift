#if canImport(Glibc)
import Glibc
#endif
import CSystemShims
import Locking
import Synchronization

/// Something registered with an event loop for readiness on one fd.
protocol EventSink: AnyObject {
    func ready(events: UInt32)
}

/// Work deferred to the end of the loop's current batch of jobs (`EventLoop.atEndOfBatch`).
protocol BatchEndSink: AnyObject {
    func batchEnded()
}

/// One thread, one epoll instance. Everything registered with a loop (listeners, connections,
/// timers) is touched only on its thread; other threads reach it through `execute(_:)`, which
/// queues the closure and wakes the loop through an eventfd (one write per batch of closures).
///
/// `@unchecked Sendable`: the mutable state is either behind `inbox` (a mutex) or confined to the
/// loop thread (checked with `assertInEventLoop()` in debug builds). A busy loop picks up new jobs
/// before it would block, so the eventfd is written only while it sleeps (one write per sleep).
public final class EventLoop: @unchecked Sendable {
    public let index: Int
    private let epollFD: Int32
    private let wakeFD: Int32
    /// A queued closure. `@unchecked Sendable`: it crosses threads only to run on the loop thread,
    /// which is what `enqueue`'s callers promise it may touch.
    private struct Job: @unchecked Sendable {
        let run: () -> Void
    }
    private struct Inbox {
        var jobs: [Job] = []
        /// The loop is (about to be) blocked in epoll_wait: only then does a new job need the eventfd.
        var sleeping = false
        var wakePending = false
    }
    private let inbox = Locked(Inbox())  // a pthread mutex: visible to ThreadSanitizer
    private var running: [Job] = []
    private var endOfBatch: [BatchEndSink] = []
    private var endOfBatchRunning: [BatchEndSink] = []
    private var sinks: [EventSink?] = []
    private var timers = TimerHeap()
    private var dueTimers: [() -> Void] = []
    private var thread: PThread?
    private let threadID = Atomic<UInt>(0)
    private var stopRequested = false
    /// Cached `Date` header value, refreshed at most once per second.
    var httpDate = HTTPDate()

    init(index: Int) throws {
        self.index = index
        epollFD = try syscallChecked("epoll_create1") { CSystemShims_epoll_create() }
        wakeFD = try syscallChecked("eventfd") { CSystemShims_eventfd() }
        try syscallChecked("epoll_ctl") {
            CSystemShims_epoll_ctl(epollFD, CSystemShims_EPOLL_CTL_ADD, wakeFD, CSystemShims_EPOLLIN, UInt64(wakeFD))
        }
    }

    deinit {
        close(epollFD)
        close(wakeFD)
    }

    /// True on this loop's thread.
    public var inEventLoop: Bool { threadID.load(ordering: .relaxed) == UInt(pthread_self()) }

    @inline(__always)
    func assertInEventLoop(file: StaticString = #fileID, line: UInt = #line) {
        assert(inEventLoop, "not on event loop \(index)", file: file, line: line)
    }

    /// Runs `work` on the loop thread, soon. Safe from any thread.
    public func execute(_ work: @escaping @Sendable () -> Void) {
        enqueue(work)
    }

    /// Same as `execute`, for closures that capture loop-confined (non-Sendable) state; the caller
    /// promises the captured state is only touched on the loop.
    func enqueue(_ work: @escaping () -> Void) {
        let mustWake = inbox.withLock { inbox -> Bool in
            inbox.jobs.append(Job(run: work))
            if !inbox.sleeping || inbox.wakePending { return false }
            inbox.wakePending = true
            return true
        }
        if mustWake && !inEventLoop {
            var one: UInt64 = 1
            _ = try? syscall("write(eventfd)") { write(wakeFD, &one, 8) }
        }
    }

    /// Calls `sink.batchEnded()` on this thread once the jobs and events being handled now are done:
    /// responses of many streams finishing in one batch become one write. Cheaper than `execute`
    /// (no closure, no lock). Loop thread only; the caller avoids registering twice.
    func atEndOfBatch(_ sink: BatchEndSink) {
        assertInEventLoop()
        endOfBatch.append(sink)
    }

    // MARK: registration (loop thread only)

    func register(fd: Int32, events: UInt32, sink: EventSink) throws {
        assertInEventLoop()
        let slot = Int(fd)
        if slot >= sinks.count { sinks.append(contentsOf: repeatElement(nil, count: slot - sinks.count + 64)) }
        sinks[slot] = sink
        try syscallChecked("epoll_ctl(ADD)") {
            CSystemShims_epoll_ctl(epollFD, CSystemShims_EPOLL_CTL_ADD, fd, events, UInt64(fd))
        }
    }

    func modify(fd: Int32, events: UInt32) throws {
        assertInEventLoop()
        try syscallChecked("epoll_ctl(MOD)") {
            CSystemShims_epoll_ctl(epollFD, CSystemShims_EPOLL_CTL_MOD, fd, events, UInt64(fd))
        }
    }

    /// Forgets `fd`; call before closing it.
    func deregister(fd: Int32) {
        assertInEventLoop()
        sinks[Int(fd)] = nil
        _ = CSystemShims_epoll_ctl(epollFD, CSystemShims_EPOLL_CTL_DEL, fd, 0, 0)
    }

    // MARK: timers (loop thread only)

    /// Calls `callback` on the loop at the monotonic time `deadline` (ns). Returns an id for `cancelTimer`.
    @discardableResult
    func scheduleTimer(at deadline: UInt64, _ callback: @escaping () -> Void) -> UInt64 {
        assertInEventLoop()
        return timers.schedule(at: deadline, callback)
    }

    func cancelTimer(_ id: UInt64) {
        assertInEventLoop()
        timers.cancel(id)
    }

    // MARK: running

    func start() {
        thread = PThread.start(name: "http-loop-\(index)") { [self] in
            threadID.store(UInt(pthread_self()), ordering: .relaxed)
            run()
        }
    }

    /// Asks the loop to return after the current iteration; `join()` waits for it.
    func stop() {
        execute { [self] in stopRequested = true }
    }

    func join() {
        thread?.join()
        thread = nil
    }

    private func run() {
        var events = [CSystemShims_epoll_event](repeating: .init(), count: 256)
        while !stopRequested {
            let timeout = waitTimeout()
            let count = events.withUnsafeMutableBufferPointer { buffer in
                CSystemShims_epoll_wait(epollFD, buffer.baseAddress, Int32(buffer.count), timeout)
            }
            inbox.withLock { $0.sleeping = false }
            if count < 0 {
                precondition(errno == EINTR, "epoll_wait failed: \(errno)")
                continue
            }
            for i in 0..<Int(count) {
                let fd = Int32(truncatingIfNeeded: events[i].data)
                if fd == wakeFD {
                    var value: UInt64 = 0
                    _ = try? syscall("read(eventfd)") { read(wakeFD, &value, 8) }
                    continue
                }
                // A sink may close other fds while handling its event; a stale slot is nil.
                if let sink = sinks[Int(fd)] { sink.ready(events: events[i].events) }
            }
            runQueuedJobs()
            runDueTimers()
            runEndOfBatch()
        }
        runQueuedJobs()
        runEndOfBatch()
    }

    /// The epoll_wait timeout: 0 with jobs queued or timers due, else until the next timer (or forever).
    /// Marks the loop as sleeping in the same critical section that saw no jobs, so a job queued after
    /// it is guaranteed to write the eventfd.
    private func waitTimeout() -> Int32 {
        var timeout: Int32 = -1
        if let deadline = timers.nextDeadline {
            let now = monotonicNanos()
            timeout = deadline <= now ? 0 : Int32(clamping: (deadline - now + 999_999) / 1_000_000)
        }
        return inbox.withLock { inbox in
            if !inbox.jobs.isEmpty { return 0 }
            if timeout != 0 {
                inbox.sleeping = true
                inbox.wakePending = false
            }
            return timeout
        }
    }

    private func runQueuedJobs() {
        inbox.withLock { inbox in swap(&inbox.jobs, &running) }
        for job in running { job.run() }
        running.removeAll(keepingCapacity: true)
    }

    private func runEndOfBatch() {
        // A sink may defer again (or queue jobs) while it runs: repeat until nothing is left.
        while !endOfBatch.isEmpty {
            swap(&endOfBatch, &endOfBatchRunning)
            for sink in endOfBatchRunning { sink.batchEnded() }
            endOfBatchRunning.removeAll(keepingCapacity: true)
        }
    }

    private func runDueTimers() {
        guard !timers.isEmpty else { return }
        timers.popExpired(now: monotonicNanos(), into: &dueTimers)
        for callback in dueTimers { callback() }
        dueTimers.removeAll(keepingCapacity: true)
    }
}

/// Responder results and stream writes of any protocol come back to the loop through this.
extension EventLoop: ConnectionExecutor {}
