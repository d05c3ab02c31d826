/// HTTP/2 frames built and parsed by hand, so tests can send exactly the bytes a peer
/// (well-behaved or hostile) would send. Request header blocks use HPACK literals only.
struct H2Frame: Equatable {
    enum Kind: UInt8 {
        case data = 0, headers, priority, rstStream, settings, pushPromise, ping, goAway, windowUpdate, continuation
    }
    static let endStream: UInt8 = 0x1, ack: UInt8 = 0x1, endHeaders: UInt8 = 0x4, padded: UInt8 = 0x8

    var type: UInt8
    var flags: UInt8
    var streamID: UInt32
    var payload: [UInt8]

    var kind: Kind? { Kind(rawValue: type) }
    func has(_ flag: UInt8) -> Bool { flags & flag != 0 }

    init(_ kind: Kind, flags: UInt8 = 0, stream: UInt32 = 0, payload: [UInt8] = []) {
        self.init(rawType: kind.rawValue, flags: flags, stream: stream, payload: payload)
    }
    init(rawType: UInt8, flags: UInt8, stream: UInt32, payload: [UInt8]) {
        type = rawType
        self.flags = flags
        streamID = stream
        self.payload = payload
    }

    var bytes: [UInt8] {
        let n = payload.count
        return [UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff), type, flags] + Self.u32(streamID) + payload
    }

    static func u32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }
    static func readU32(_ b: ArraySlice<UInt8>) -> UInt32 {
        let i = b.startIndex
        return UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
    }

    // MARK: builders
    static func settings(_ entries: [(UInt16, UInt32)] = []) -> H2Frame {
        H2Frame(.settings, payload: entries.flatMap { [UInt8($0.0 >> 8), UInt8($0.0 & 0xff)] + u32($0.1) })
    }
    static let settingsAck = H2Frame(.settings, flags: ack)
    static func ping(_ data: [UInt8], ack: Bool = false) -> H2Frame { H2Frame(.ping, flags: ack ? Self.ack : 0, payload: data) }
    static func windowUpdate(stream: UInt32, _ increment: UInt32) -> H2Frame { H2Frame(.windowUpdate, stream: stream, payload: u32(increment)) }
    static func rst(stream: UInt32, code: UInt32 = 8) -> H2Frame { H2Frame(.rstStream, stream: stream, payload: u32(code)) }
    static func data(stream: UInt32, _ bytes: [UInt8], end: Bool = false) -> H2Frame {
        H2Frame(.data, flags: end ? endStream : 0, stream: stream, payload: bytes)
    }
    static func headers(stream: UInt32, _ fields: [(String, String)], end: Bool = true) -> H2Frame {
        H2Frame(.headers, flags: endHeaders | (end ? endStream : 0), stream: stream, payload: HPACK.literals(fields))
    }
    /// A header block split into HEADERS + CONTINUATION frames of at most `maxFrame` bytes.
    static func headerBlock(stream: UInt32, _ block: [UInt8], end: Bool = true, maxFrame: Int = 16384) -> [H2Frame] {
        var chunks = stride(from: 0, to: max(block.count, 1), by: maxFrame).map { Array(block[$0..<min($0 + maxFrame, block.count)]) }
        if chunks.isEmpty { chunks = [[]] }
        return chunks.enumerated().map { i, chunk in
            let last = i == chunks.count - 1
            return i == 0
                ? H2Frame(.headers, flags: (last ? endHeaders : 0) | (end ? endStream : 0), stream: stream, payload: chunk)
                : H2Frame(.continuation, flags: last ? endHeaders : 0, stream: stream, payload: chunk)
        }
    }
    static func requestFrames(stream: UInt32, method: String = "GET", path: String = "/", extra: [(String, String)] = [], end: Bool = true) -> [H2Frame] {
        headerBlock(stream: stream, HPACK.literals([(":method", method), (":scheme", "http"), (":path", path), (":authority", "localhost")] + extra), end: end)
    }
    static func request(
        stream: UInt32, method: String = "GET", path: String = "/", extra: [(String, String)] = [], end: Bool = true
    ) -> H2Frame {
        headers(stream: stream, [(":method", method), (":scheme", "http"), (":path", path), (":authority", "localhost")] + extra, end: end)
    }

    // MARK: parsing
    /// Splits complete frames off the front of `buffer`.
    static func parse(_ buffer: inout [UInt8]) -> [H2Frame] {
        var frames: [H2Frame] = []
        var offset = 0
        while buffer.count - offset >= 9 {
            let length = Int(buffer[offset]) << 16 | Int(buffer[offset + 1]) << 8 | Int(buffer[offset + 2])
            guard buffer.count - offset >= 9 + length else { break }
            let stream = readU32(buffer[offset + 5..<offset + 9]) & 0x7fff_ffff
            frames.append(H2Frame(
                rawType: buffer[offset + 3], flags: buffer[offset + 4], stream: stream,
                payload: Array(buffer[offset + 9..<offset + 9 + length])))
            offset += 9 + length
        }
        buffer.removeFirst(offset)
        return frames
    }

    /// GOAWAY: (last stream id, error code).
    var goAway: (lastStream: UInt32, code: UInt32)? {
        guard kind == .goAway, payload.count >= 8 else { return nil }
        return (Self.readU32(payload[0..<4]) & 0x7fff_ffff, Self.readU32(payload[4..<8]))
    }
    var errorCode: UInt32? { kind == .rstStream && payload.count == 4 ? Self.readU32(payload[0..<4]) : nil }
    var settingsEntries: [UInt16: UInt32] {
        var out: [UInt16: UInt32] = [:]
        var i = 0
        while i + 6 <= payload.count {
            out[UInt16(payload[i]) << 8 | UInt16(payload[i + 1])] = Self.readU32(payload[i + 2..<i + 6])
            i += 6
        }
        return out
    }
}

enum HPACK {
    /// "Literal Header Field without Indexing — New Name" for every field, no Huffman.
    static func literals(_ fields: [(String, String)]) -> [UInt8] {
        fields.flatMap { [0x00] + string($0.0) + string($0.1) }
    }
    static func string(_ s: String) -> [UInt8] { integer(s.utf8.count, prefixBits: 7, flags: 0) + Array(s.utf8) }
    static func integer(_ value: Int, prefixBits: Int, flags: UInt8) -> [UInt8] {
        let max = (1 << prefixBits) - 1
        if value < max { return [flags | UInt8(value)] }
        var out = [flags | UInt8(max)]
        var rest = value - max
        while rest >= 128 {
            out.append(UInt8(rest % 128 + 128))
            rest /= 128
        }
        out.append(UInt8(rest))
        return out
    }
}
