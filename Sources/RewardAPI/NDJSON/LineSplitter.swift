#if canImport(Glibc)
import Glibc
#endif

/// Splits a byte stream into NDJSON records with a per-record size limit, so memory stays bounded
/// whatever the stream's total size. An over-long record is reported once and skipped.
/// A line that lies within one chunk is a slice of that chunk (no copy); only a line cut by a
/// chunk boundary is assembled in a buffer of its own.
struct LineSplitter {
    enum Record: Equatable {
        case line(ArraySlice<UInt8>)
        case tooLong
    }

    let maxLineBytes: Int
    /// The start of a record that a chunk boundary cut.
    private var buffer: [UInt8] = []
    private var discarding = false

    init(maxLineBytes: Int) { self.maxLineBytes = maxLineBytes }

    mutating func push(_ chunk: [UInt8]) -> [Record] {
        var out: [Record] = []
        chunk.withUnsafeBufferPointer { p in
            guard let base = p.baseAddress else { return }
            var start = 0
            while start < p.count {
                // memchr: the newline search is most of the splitting work on long lines.
                guard let hit = memchr(base + start, 0x0A, p.count - start) else {
                    append(UnsafeBufferPointer(rebasing: p[start...]))
                    break
                }
                let newline = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
                if buffer.isEmpty && !discarding {
                    // The whole record is in this chunk: a slice of it.
                    out.append(newline - start > maxLineBytes ? .tooLong : .line(Self.trimCR(chunk[start..<newline])))
                } else {
                    append(UnsafeBufferPointer(rebasing: p[start..<newline]))
                    out.append(discarding ? .tooLong : .line(Self.trimCR(ArraySlice(buffer))))
                    buffer.removeAll(keepingCapacity: true)
                    discarding = false
                }
                start = newline + 1
            }
        }
        return out
    }

    /// The last record when the stream does not end with a newline.
    mutating func finish() -> Record? {
        defer {
            buffer = []
            discarding = false
        }
        if discarding { return .tooLong }
        return buffer.isEmpty ? nil : .line(Self.trimCR(ArraySlice(buffer)))
    }

    private mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard !discarding else { return }
        if buffer.count + bytes.count > maxLineBytes {
            discarding = true
            buffer.removeAll(keepingCapacity: false)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    private static func trimCR(_ b: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        b.last == UInt8(ascii: "\r") ? b.dropLast() : b
    }
}
