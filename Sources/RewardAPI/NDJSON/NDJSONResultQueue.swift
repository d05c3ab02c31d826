import HTTPServer
import Synchronization
import Locking

/// The ordered hand-off between the NDJSON reader, which parses lines and starts their scoring,
/// and the writer, which sends results in input order. Each entry answers one or more consecutive
/// lines, either at once (a line that failed to parse) or when its scoring task completes.
/// The reader waits while more than a window of line bytes (or lines) is unanswered, so memory
/// stays bounded whatever the input size; a slow client slows the reader down, not the reverse.
final class NDJSONResultQueue: Sendable {
    /// The answer to consecutive lines.
    final class Entry: Sendable {
        let lines: Int
        let lineBytes: Int
        private struct Slot {
            var output: [UInt8]?
            var waiter: CheckedContinuation<[UInt8], Never>?
        }
        private let slot: Locked<Slot>

        init(lines: Int, lineBytes: Int, output: [UInt8]? = nil) {
            self.lines = lines
            self.lineBytes = lineBytes
            slot = Locked(Slot(output: output))
        }

        var isDone: Bool { slot.withLock { $0.output != nil } }

        /// Sets the answer (once) and wakes the writer if it waits for it.
        func complete(_ output: [UInt8]) {
            let waiter = slot.withLock { s -> CheckedContinuation<[UInt8], Never>? in
                s.output = output
                defer { s.waiter = nil }
                return s.waiter
            }
            waiter?.resume(returning: output)
        }

        func output() async -> [UInt8] {
            await withCheckedContinuation { continuation in
                let ready = slot.withLock { s -> [UInt8]? in
                    if s.output == nil { s.waiter = continuation }
                    return s.output
                }
                if let ready { continuation.resume(returning: ready) }
            }
        }
    }

    private struct State {
        let windowBytes: Int
        let windowLines: Int
        var entries = FIFO<Entry>()
        var unansweredBytes = 0
        var unansweredLines = 0
        var finished = false
        var closed = false
        var writer: CheckedContinuation<Entry?, Never>?
        var reader: CheckedContinuation<Bool, Never>?

        var isFull: Bool { unansweredBytes > windowBytes || unansweredLines > windowLines }
    }

    private let state: Locked<State>
    /// Entries whose scoring has started and not completed (the reader batches more while busy).
    let running = Atomic<Int>(0)

    init(windowBytes: Int, windowLines: Int) {
        state = Locked(State(windowBytes: windowBytes, windowLines: windowLines))
    }

    // MARK: reader

    /// Queues `entry` (input order); waits while the window is full. False: the writer has stopped.
    func push(_ entry: Entry) async -> Bool {
        let (writer, next, stopped, full) = state.withLock { s -> (CheckedContinuation<Entry?, Never>?, Entry?, Bool, Bool) in
            guard !s.closed else { return (nil, nil, true, false) }
            s.entries.append(entry)
            s.unansweredBytes += entry.lineBytes
            s.unansweredLines += entry.lines
            var writer: CheckedContinuation<Entry?, Never>?
            var next: Entry?
            if let waiting = s.writer {
                s.writer = nil
                writer = waiting
                next = s.entries.popFirst()
            }
            return (writer, next, false, s.isFull)
        }
        writer?.resume(returning: next)
        if stopped { return false }
        if !full { return true }
        return await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let resume = state.withLock { s -> Bool? in
                if s.closed { return false }
                if !s.isFull { return true }
                s.reader = continuation
                return nil
            }
            if let resume { continuation.resume(returning: resume) }
        }
    }

    /// No more entries.
    func finish() {
        let writer = state.withLock { s -> CheckedContinuation<Entry?, Never>? in
            s.finished = true
            defer { s.writer = nil }
            return s.writer
        }
        writer?.resume(returning: nil)
    }

    // MARK: writer

    /// The next entry in input order (waiting for the reader), nil once all are taken.
    func next() async -> Entry? {
        await withCheckedContinuation { continuation in
            enum Step { case entry(Entry), end, wait }
            let step = state.withLock { s -> Step in
                if let e = s.entries.popFirst() { return .entry(e) }
                if s.finished { return .end }
                s.writer = continuation
                return .wait
            }
            switch step {
            case .entry(let e): continuation.resume(returning: e)
            case .end: continuation.resume(returning: nil)
            case .wait: break
            }
        }
    }

    /// The next entry if it is already answered (to gather several into one write), else nil.
    func nextIfDone() -> Entry? {
        state.withLock { s in
            guard let first = s.entries.first, first.isDone else { return nil }
            return s.entries.popFirst()
        }
    }

    /// The writer sent `entry`'s answer: its lines leave the window.
    func release(_ entry: Entry) {
        let reader = state.withLock { s -> CheckedContinuation<Bool, Never>? in
            s.unansweredBytes -= entry.lineBytes
            s.unansweredLines -= entry.lines
            guard !s.isFull else { return nil }
            defer { s.reader = nil }
            return s.reader
        }
        reader?.resume(returning: true)
    }

    /// The writer failed (the client went away): the reader stops at its next push.
    func close() {
        let reader = state.withLock { s -> CheckedContinuation<Bool, Never>? in
            s.closed = true
            defer { s.reader = nil }
            return s.reader
        }
        reader?.resume(returning: false)
    }
}
