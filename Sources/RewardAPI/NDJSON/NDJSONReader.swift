import HTTPServer
import RewardService

/// The reading side of an NDJSON score stream: splits the body into lines and hands them on in
/// batches of consecutive lines, each answered by its own task (parsing included, so two cores
/// parse while the model worker scores). Answers are queued in input order.
struct NDJSONReader {
    let app: RewardApplication
    let tenant: String
    let queue: NDJSONResultQueue
    private var splitter: LineSplitter
    private var lineNumber = 0
    private var batch: [NDJSONBatch.Line] = []
    private var batchBytes = 0
    /// Whether the current batch has been charged for the chunk being split (see `add`).
    private var chunkCharged = false

    /// A batch is handed on at this many lines or bytes, or earlier when the pipeline is idle.
    static let batchLines = 256
    static let batchBytes = 1 << 20

    init(app: RewardApplication, tenant: String, queue: NDJSONResultQueue) {
        self.app = app
        self.tenant = tenant
        self.queue = queue
        splitter = LineSplitter(maxLineBytes: app.configuration.maxNDJSONLineBytes)
    }

    /// Reads the whole body (or until the writer stops). A body that breaks off ends the stream
    /// with one last error line saying why.
    mutating func read(_ body: RequestBody) async {
        do {
            for try await chunk in body {
                chunkCharged = false
                for record in splitter.push(chunk) {
                    guard await add(record, from: chunk) else { return }
                }
                // Continuous batching: while little is being scored, hand on what arrived at once
                // (a slow upload is answered line by line); while the worker is busy, batches grow.
                if !batch.isEmpty && queue.running.load(ordering: .relaxed) < 2 {
                    guard await dispatch() else { return }
                }
            }
            if let last = splitter.finish() {
                guard await add(last) else { return }
            }
            _ = await dispatch()
        } catch {
            guard await dispatch() else { return }
            _ = await queue.push(.init(lines: 1, lineBytes: 0, output: app.lineError(lineNumber + 1, error)))
        }
    }

    /// Lines are slices of the chunk they came in, which stays alive until their batch is answered:
    /// a batch is charged (against the queue's window) the whole chunk once for its slices of it,
    /// and a line assembled across chunks its own size, so the window bounds the memory retained.
    private mutating func add(_ record: LineSplitter.Record, from chunk: [UInt8]? = nil) async -> Bool {
        lineNumber += 1
        var size = 0
        if case .line(let bytes) = record {
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return true }  // blank
            if let chunk, Self.isSlice(bytes, of: chunk) {
                size = chunkCharged ? 0 : chunk.count
                chunkCharged = true
            } else {
                size = bytes.count
            }
        }
        batch.append(.init(number: lineNumber, record: record))
        batchBytes += size
        if batch.count >= Self.batchLines || batchBytes >= Self.batchBytes { return await dispatch() }
        return true
    }

    /// Starts answering the current batch and queues its answer.
    private mutating func dispatch() async -> Bool {
        guard !batch.isEmpty else { return true }
        let lines = batch
        let entry = NDJSONResultQueue.Entry(lines: lines.count, lineBytes: batchBytes)
        batch.removeAll(keepingCapacity: true)
        batchBytes = 0
        chunkCharged = false
        let app = self.app
        let tenant = self.tenant
        let queue = self.queue
        queue.running.add(1, ordering: .relaxed)
        Task {
            let output = await NDJSONBatch(app: app, tenant: tenant).answer(lines)
            queue.running.subtract(1, ordering: .relaxed)
            entry.complete(output)
        }
        return await queue.push(entry)
    }

    private static func isSlice(_ slice: ArraySlice<UInt8>, of chunk: [UInt8]) -> Bool {
        chunk.withUnsafeBufferPointer { c in
            slice.withUnsafeBufferPointer { s in
                guard let base = c.baseAddress, let start = s.baseAddress else { return false }
                return start >= base && start < base + c.count
            }
        }
    }
}
