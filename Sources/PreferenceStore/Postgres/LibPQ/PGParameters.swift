import CLibPQ

/// Bound statement parameters in libpq's binary format, packed into one buffer.
/// Values are never spliced into SQL text: each one is a `$n` with an explicit type OID.
struct PGParameters {
    enum OID {
        static let bool: Oid = 16, bytea: Oid = 17, int8: Oid = 20, int4: Oid = 23, text: Oid = 25
        static let float8: Oid = 701, textArray: Oid = 1009, byteaArray: Oid = 1001, float8Array: Oid = 1022
        static let int8Array: Oid = 1016
    }

    private(set) var buffer: [UInt8] = []
    private var offsets: [Int] = []
    private var lengths: [Int32] = []  // -1 is SQL NULL
    private(set) var types: [Oid] = []

    init() {}

    init(reservingBytes bytes: Int) {
        buffer.reserveCapacity(bytes)
    }

    var count: Int { types.count }

    mutating func appendNull(type: Oid) {
        offsets.append(buffer.count)
        lengths.append(-1)
        types.append(type)
    }

    private mutating func begin(type: Oid) -> Int {
        offsets.append(buffer.count)
        types.append(type)
        return buffer.count
    }

    private mutating func end(from start: Int) {
        lengths.append(Int32(buffer.count - start))
    }

    mutating func append(_ value: String?) {
        guard let value else { return appendNull(type: OID.text) }
        let start = begin(type: OID.text)
        buffer.append(contentsOf: value.utf8)
        end(from: start)
    }

    mutating func append(_ value: Int64?) {
        guard let value else { return appendNull(type: OID.int8) }
        let start = begin(type: OID.int8)
        PGBinary.appendBigEndian(value, to: &buffer)
        end(from: start)
    }

    mutating func append(_ value: Int32) {
        let start = begin(type: OID.int4)
        PGBinary.appendBigEndian(value, to: &buffer)
        end(from: start)
    }

    mutating func append(_ value: Double) {
        let start = begin(type: OID.float8)
        PGBinary.appendBigEndian(value.bitPattern, to: &buffer)
        end(from: start)
    }

    mutating func append(bytes value: [UInt8]) {
        let start = begin(type: OID.bytea)
        buffer.append(contentsOf: value)
        end(from: start)
    }

    /// Features as `bytea`: little-endian f32, the layout the schema documents.
    mutating func append(features: [Float]?) {
        guard let features else { return appendNull(type: OID.bytea) }
        let start = begin(type: OID.bytea)
        PGBinary.appendLittleEndianFloats(features, to: &buffer)
        end(from: start)
    }

    mutating func append(_ values: [Double]?) {
        guard let values else { return appendNull(type: OID.float8Array) }
        let start = begin(type: OID.float8Array)
        PGBinary.appendArrayHeader(count: values.count, hasNull: false, element: OID.float8, to: &buffer)
        for v in values {
            PGBinary.appendBigEndian(Int32(8), to: &buffer)
            PGBinary.appendBigEndian(v.bitPattern, to: &buffer)
        }
        end(from: start)
    }

    mutating func append(texts values: [String?]) {
        let start = begin(type: OID.textArray)
        PGBinary.appendArrayHeader(count: values.count, hasNull: values.contains(nil), element: OID.text, to: &buffer)
        for v in values {
            guard let v else { PGBinary.appendBigEndian(Int32(-1), to: &buffer); continue }
            PGBinary.appendBigEndian(Int32(v.utf8.count), to: &buffer)
            buffer.append(contentsOf: v.utf8)
        }
        end(from: start)
    }

    mutating func append(featureArrays values: [[Float]?]) {
        let start = begin(type: OID.byteaArray)
        PGBinary.appendArrayHeader(count: values.count, hasNull: values.contains(nil), element: OID.bytea, to: &buffer)
        for v in values {
            guard let v else { PGBinary.appendBigEndian(Int32(-1), to: &buffer); continue }
            PGBinary.appendBigEndian(Int32(v.count * 4), to: &buffer)
            PGBinary.appendLittleEndianFloats(v, to: &buffer)
        }
        end(from: start)
    }

    mutating func append(float8s values: [Double]) {
        append(values as [Double]?)
    }

    /// Calls `body` with the C arrays libpq wants; the pointers live only during the call
    /// (libpq copies parameters into its output buffer before returning).
    func withUnsafeArguments<R>(
        _ body: (
            _ count: Int32, _ types: UnsafePointer<Oid>?, _ values: UnsafePointer<UnsafePointer<CChar>?>?,
            _ lengths: UnsafePointer<Int32>?, _ formats: UnsafePointer<Int32>?
        ) throws -> R
    ) rethrows -> R {
        let formats = [Int32](repeating: 1, count: count)
        return try buffer.withUnsafeBytes { raw in
            let base = raw.baseAddress?.assumingMemoryBound(to: CChar.self)
            // A zero-length non-NULL value still needs a non-nil pointer.
            var empty: CChar = 0
            return try withUnsafePointer(to: &empty) { emptyPointer in
                let values: [UnsafePointer<CChar>?] = (0..<count).map { i in
                    guard lengths[i] >= 0 else { return nil }
                    guard lengths[i] > 0, let base else { return emptyPointer }
                    return UnsafePointer(base + offsets[i])
                }
                return try types.withUnsafeBufferPointer { t in
                    try values.withUnsafeBufferPointer { v in
                        try lengths.withUnsafeBufferPointer { l in
                            try formats.withUnsafeBufferPointer { f in
                                try body(Int32(count), t.baseAddress, v.baseAddress, l.baseAddress, f.baseAddress)
                            }
                        }
                    }
                }
            }
        }
    }
}
