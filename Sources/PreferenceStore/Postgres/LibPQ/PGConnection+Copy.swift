import CLibPQ

extension PGConnection {
    /// `COPY … FROM STDIN`: sends `data` (already in the COPY format the statement names) and returns the
    /// number of rows copied. Used by the benchmark's baseline; the product appends with `SQL.appendBatch`.
    func copyIn(_ sql: String, data: [UInt8], deadline: Deadline) throws -> Int {
        let raw = try openRaw()
        guard PQsendQueryParams(raw, sql, 0, nil, nil, nil, nil, 0) == 1 else { throw sendFailure() }
        let started = try collect(deadline)
        guard started.status == PGRES_COPY_IN else { throw PreferenceStoreError(.internalError, "COPY did not start") }
        let chunk = 1 << 20
        try data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let length = min(chunk, bytes.count - offset)
                let pointer = bytes.baseAddress!.advanced(by: offset).assumingMemoryBound(to: CChar.self)
                switch PQputCopyData(raw, pointer, Int32(length)) {
                case 1: offset += length
                case 0: try wait(read: false, write: true, deadline)
                default: throw lostConnection(during: "copy")
                }
            }
        }
        while true {
            let ended = PQputCopyEnd(raw, nil)
            if ended == 1 { break }
            guard ended == 0 else { throw lostConnection(during: "copy end") }
            try wait(read: false, write: true, deadline)
        }
        return try collect(deadline).affectedRows
    }
}

/// Binary COPY stream builder (header, tuples, trailer) for the benchmark baseline.
struct PGCopyBinary {
    private(set) var bytes: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] + [UInt8](repeating: 0, count: 8)

    init(reservingBytes: Int) {
        bytes.reserveCapacity(reservingBytes)
    }

    mutating func beginRow(fields: Int) { PGBinary.appendBigEndian(Int16(fields), to: &bytes) }

    mutating func append(_ text: String?) {
        guard let text else { return PGBinary.appendBigEndian(Int32(-1), to: &bytes) }
        PGBinary.appendBigEndian(Int32(text.utf8.count), to: &bytes)
        bytes.append(contentsOf: text.utf8)
    }

    mutating func append(features: [Float]?) {
        guard let features else { return PGBinary.appendBigEndian(Int32(-1), to: &bytes) }
        PGBinary.appendBigEndian(Int32(features.count * 4), to: &bytes)
        PGBinary.appendLittleEndianFloats(features, to: &bytes)
    }

    mutating func append(_ value: Double) {
        PGBinary.appendBigEndian(Int32(8), to: &bytes)
        PGBinary.appendBigEndian(value.bitPattern, to: &bytes)
    }

    mutating func finish() { PGBinary.appendBigEndian(Int16(-1), to: &bytes) }
}
