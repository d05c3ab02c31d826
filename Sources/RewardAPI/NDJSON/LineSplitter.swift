/// Splits a byte stream into NDJSON records with a per-record size limit, so memory stays bounded
/// whatever the stream's total size. An over-long record is reported once and skipped.
struct LineSplitter {
    enum Record: Equatable {
        case line([UInt8])
        case tooLong
    }

    let maxLineBytes: Int
    private var buffer: [UInt8] = []
    private var discarding = false

    init(maxLineBytes: Int) { self.maxLineBytes = maxLineBytes }

    mutating func push(_ chunk: [UInt8]) -> [Record] {
        var out: [Record] = []
        var start = 0
        while start < chunk.count {
            guard let nl = chunk[start...].firstIndex(of: UInt8(ascii: "\n")) else {
                append(chunk[start...], into: &out)
                break
            }
            append(chunk[start..<nl], into: &out)
            out.append(discarding ? .tooLong : .line(Self.trimCR(buffer)))
            buffer.removeAll(keepingCapacity: true)
            discarding = false
            start = nl + 1
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
        return buffer.isEmpty ? nil : .line(Self.trimCR(buffer))
    }

    private mutating func append(_ bytes: ArraySlice<UInt8>, into out: inout [Record]) {
        guard !discarding else { return }
        if buffer.count + bytes.count > maxLineBytes {
            discarding = true
            buffer.removeAll(keepingCapacity: false)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    private static func trimCR(_ b: [UInt8]) -> [UInt8] {
        b.last == UInt8(ascii: "\r") ? Array(b.dropLast()) : b
    }
}
