extension SafeTensors {
    /// Parses a whole file held in memory. Every length and offset is checked before it is used.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws -> SafeTensors {
        guard bytes.count >= 8 else { throw TensorsError(.truncated, "file has \(bytes.count) bytes, fewer than the 8-byte header length") }
        var headerLength: UInt64 = 0
        for i in 0..<8 { headerLength |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard headerLength <= UInt64(maxHeaderBytes) else {
            throw TensorsError(.headerTooLarge, "header length \(headerLength) exceeds the \(maxHeaderBytes)-byte cap")
        }
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw TensorsError(.headerTooLarge, "header length \(headerLength) runs past the end of the \(bytes.count)-byte file")
        }
        let headerEnd = 8 + Int(headerLength)
        let header = try HeaderJSON.parse(UnsafeRawBufferPointer(rebasing: bytes[8..<headerEnd]))
        guard case let .object(members) = header else { throw TensorsError(.badHeader, "header is not a JSON object") }
        let data = UnsafeRawBufferPointer(rebasing: bytes[headerEnd...])

        var result = SafeTensors()
        var ranges: [(Range<Int>, String)] = []
        var seen = Set<String>()
        for (name, entry) in members {
            guard seen.insert(name).inserted else { throw TensorsError(.badHeader, "tensor '\(name)' appears twice") }
            if name == "__metadata__" {
                result.metadata = try metadata(entry)
                continue
            }
            let (dtype, shape, range) = try describe(name, entry, dataSize: data.count)
            ranges.append((range, name))
            if dtype.isLoaded {
                result.tensors[name] = Tensor(shape: shape, values: convert(data, range: range, dtype: dtype))
            } else {
                result.skipped.append(name)
            }
        }
        ranges.sort { $0.0.lowerBound < $1.0.lowerBound }
        for (previous, next) in zip(ranges, ranges.dropFirst()) where previous.0.upperBound > next.0.lowerBound {
            throw TensorsError(.badOffsets, "tensors '\(previous.1)' and '\(next.1)' overlap")
        }
        return result
    }

    private static func metadata(_ entry: HeaderJSON) throws -> [String: String] {
        guard case let .object(pairs) = entry else { throw TensorsError(.badHeader, "__metadata__ is not an object") }
        var out: [String: String] = [:]
        for (key, value) in pairs {
            guard case let .string(s) = value else { throw TensorsError(.badHeader, "__metadata__['\(key)'] is not a string") }
            out[key] = s
        }
        return out
    }

    private static func describe(_ name: String, _ entry: HeaderJSON, dataSize: Int) throws -> (DType, [Int], Range<Int>) {
        guard case let .object(fields) = entry else { throw TensorsError(.badHeader, "entry '\(name)' is not an object") }
        func field(_ key: String) -> HeaderJSON? { fields.first { $0.0 == key }?.1 }
        guard case let .string(dtypeName)? = field("dtype") else { throw TensorsError(.badHeader, "tensor '\(name)' has no dtype") }
        guard let dtype = DType(rawValue: dtypeName) else {
            throw TensorsError(.unknownDType, "tensor '\(name)' has unknown dtype '\(dtypeName)'")
        }
        guard case let .array(dims)? = field("shape") else { throw TensorsError(.badHeader, "tensor '\(name)' has no shape") }
        var shape: [Int] = []
        var count = 1
        for dim in dims {
            guard case let .integer(n) = dim, n >= 0 else { throw TensorsError(.badShape, "tensor '\(name)' has a bad dimension") }
            let (product, overflow) = count.multipliedReportingOverflow(by: n)
            guard !overflow, product <= dataSize else { throw TensorsError(.badShape, "tensor '\(name)' is larger than the file") }
            count = product
            shape.append(n)
        }
        guard case let .array(offsets)? = field("data_offsets"), offsets.count == 2,
              case let .integer(begin) = offsets[0], case let .integer(end) = offsets[1]
        else { throw TensorsError(.badOffsets, "tensor '\(name)' has no [begin, end] data_offsets") }
        guard begin >= 0, begin <= end, end <= dataSize else {
            throw TensorsError(.badOffsets, "tensor '\(name)' offsets [\(begin), \(end)] are outside the \(dataSize)-byte data section")
        }
        guard end - begin == count * dtype.byteSize else {
            throw TensorsError(.badOffsets, "tensor '\(name)' spans \(end - begin) bytes but \(shape) \(dtypeName) needs \(count * dtype.byteSize)")
        }
        return (dtype, shape, begin..<end)
    }

    private static func convert(_ data: UnsafeRawBufferPointer, range: Range<Int>, dtype: DType) -> [Float] {
        let count = range.count / dtype.byteSize
        let base = range.lowerBound
        // loadUnaligned: offsets inside the file need not be aligned to the element size.
        switch dtype {
        case .f32:
            #if _endian(little)
            // The file's byte order is the host's: one copy instead of a conversion per element
            // (a 90 MB text encoder loads in milliseconds, also in debug builds).
            return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                if count > 0 {
                    UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: data[base ..< base + 4 * count]))
                }
                initialized = count
            }
            #else
            return (0..<count).map { Float(bitPattern: UInt32(littleEndian: data.loadUnaligned(fromByteOffset: base + 4 * $0, as: UInt32.self))) }
            #endif
        case .f64:
            return (0..<count).map { Float(Double(bitPattern: UInt64(littleEndian: data.loadUnaligned(fromByteOffset: base + 8 * $0, as: UInt64.self)))) }
        case .f16:
            return (0..<count).map { HalfPrecision.float(fromHalfBits: UInt16(littleEndian: data.loadUnaligned(fromByteOffset: base + 2 * $0, as: UInt16.self))) }
        case .bf16:
            return (0..<count).map { HalfPrecision.float(fromBFloat16Bits: UInt16(littleEndian: data.loadUnaligned(fromByteOffset: base + 2 * $0, as: UInt16.self))) }
        default:
            preconditionFailure("convert called for a skipped dtype")
        }
    }
}
