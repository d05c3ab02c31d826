/// A FIFO of body chunks that gives up each chunk's bytes as soon as it is taken. A consumer slower
/// than the socket never lets the queue run empty, so a slot that kept its chunk until then would
/// keep the whole body alive (the NDJSON memory growth); the slot array is compacted now and then so
/// it stays bounded too. Not thread-safe: its owner keeps it under a lock.
struct ChunkQueue {
    /// Queued chunks from `head` on; slots before `head` are consumed and hold empty arrays.
    private var chunks: [[UInt8]] = []
    private var head = 0
    /// Bytes queued and not yet taken.
    private(set) var bytes = 0

    /// Bytes the slot array still references, consumed slots included (what the queue costs in
    /// memory; equals `bytes` only while taken slots give up their chunks, which tests check).
    var retainedBytes: Int { chunks.reduce(0) { $0 + $1.count } }

    mutating func append(_ chunk: [UInt8]) {
        chunks.append(chunk)
        bytes += chunk.count
    }

    /// Takes the oldest chunk.
    mutating func pop() -> [UInt8]? {
        guard head < chunks.count else { return nil }
        let chunk = chunks[head]
        chunks[head] = []
        head += 1
        if head == chunks.count {
            chunks.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 64 && head * 2 >= chunks.count {
            chunks.removeFirst(head)
            head = 0
        }
        bytes -= chunk.count
        return chunk
    }

    /// Drops everything queued; returns how many bytes that was.
    mutating func removeAll() -> Int {
        let dropped = bytes
        chunks = []
        head = 0
        bytes = 0
        return dropped
    }
}
