import Foundation

/// PostgreSQL binary wire formats (big-endian scalars, arrays, timestamps) and the f32 feature layout.
enum PGBinary {
    /// Seconds from 1970-01-01 to PostgreSQL's epoch 2000-01-01 (UTC).
    static let postgresEpochOffset: TimeInterval = 946_684_800

    static func appendBigEndian<T: FixedWidthInteger>(_ value: T, to buffer: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { buffer.append(contentsOf: $0) }
    }

    static func appendArrayHeader(count: Int, hasNull: Bool, element: UInt32, to buffer: inout [UInt8]) {
        guard count > 0 else {
            appendBigEndian(Int32(0), to: &buffer)  // ndim 0: the empty array
            appendBigEndian(Int32(0), to: &buffer)
            appendBigEndian(element, to: &buffer)
            return
        }
        appendBigEndian(Int32(1), to: &buffer)
        appendBigEndian(Int32(hasNull ? 1 : 0), to: &buffer)
        appendBigEndian(element, to: &buffer)
        appendBigEndian(Int32(count), to: &buffer)
        appendBigEndian(Int32(1), to: &buffer)  // lower bound
    }

    static func appendLittleEndianFloats(_ values: [Float], to buffer: inout [UInt8]) {
        #if _endian(little)
        values.withUnsafeBytes { buffer.append(contentsOf: $0) }
        #else
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { buffer.append(contentsOf: $0) } }
        #endif
    }

    static func readBigEndian<T: FixedWidthInteger>(_: T.Type, _ bytes: UnsafeRawBufferPointer, at offset: Int) -> T {
        var value: T = 0
        withUnsafeMutableBytes(of: &value) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + MemoryLayout<T>.size])) }
        return T(bigEndian: value)
    }

    static func floats(littleEndian bytes: UnsafeRawBufferPointer) -> [Float]? {
        guard bytes.count % 4 == 0 else { return nil }
        let n = bytes.count / 4
        return [Float](unsafeUninitializedCapacity: n) { out, initialized in
            #if _endian(little)
            if n > 0 { UnsafeMutableRawBufferPointer(out).copyMemory(from: bytes) }
            #else
            for i in 0..<n { out[i] = Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))) }
            #endif
            initialized = n
        }
    }

    static func date(microsecondsSince2000 us: Int64) -> Date {
        Date(timeIntervalSince1970: postgresEpochOffset + Double(us) / 1_000_000)
    }

    /// A one-dimensional float8[] without NULLs (the only arrays this schema reads back).
    static func float8Array(_ bytes: UnsafeRawBufferPointer) -> [Double]? {
        guard bytes.count >= 12 else { return nil }
        let ndim = readBigEndian(Int32.self, bytes, at: 0)
        if ndim == 0 { return [] }
        guard ndim == 1, bytes.count >= 20 else { return nil }
        let n = Int(readBigEndian(Int32.self, bytes, at: 12))
        guard n >= 0, bytes.count == 20 + n * 12 else { return nil }
        var out: [Double] = []
        out.reserveCapacity(n)
        var offset = 20
        for _ in 0..<n {
            guard readBigEndian(Int32.self, bytes, at: offset) == 8 else { return nil }
            out.append(Double(bitPattern: readBigEndian(UInt64.self, bytes, at: offset + 4)))
            offset += 12
        }
        return out
    }
}
