/// A FIFO of body chunks that counts its bytes and gives up each chunk as soon as it is taken: a
/// consumer slower than the socket never lets the queue run empty, so a slot that kept its chunk
/// until then would keep the whole body alive (the NDJSON memory growth). Not thread-safe: its owner
/// keeps it under a lock.
struct ChunkQueue {
    private var chunks = FIFO<[UInt8]>()
    /// Bytes queued and not yet taken.
    private(set) var bytes = 0

    /// Bytes the queue still references, consumed slots included (what it costs in memory; equals
    /// `bytes` only while taking a chunk releases it, which tests check).
    var retainedBytes: Int { chunks.referenced.reduce(0) { $0 + $1.count } }

    mutating func append(_ chunk: [UInt8]) {
        chunks.append(chunk)
        bytes += chunk.count
    }

    /// Takes the oldest chunk.
    mutating func pop() -> [UInt8]? {
        guard let chunk = chunks.popFirst() else { return nil }
        bytes -= chunk.count
        return chunk
    }

    /// Drops everything queued; returns how many bytes that was.
    mutating func removeAll() -> Int {
        let dropped = bytes
        chunks.removeAll()
        bytes = 0
        return dropped
    }
}
