/// An array of JSON numbers, kept as its (already validated) source text and converted on demand:
/// `floats()` for feature vectors (correctly rounded straight to Float), `doubles()` for states.
public struct JSONNumberList: Sendable {
    let source: [UInt8]
    let range: Range<Int>
    public let count: Int

    public enum Conversion<T> {
        case values([T])
        /// The element at `index` is beyond the target type's range (e.g. `1e39` as Float).
        case outOfRange(index: Int)
    }

    /// One pass: separators skipped, each number parsed where it starts (the scanner finds its end).
    public func floats() -> Conversion<Float> {
        source.withUnsafeBufferPointer { p in
            var out = [Float]()
            out.reserveCapacity(count)
            var i = range.lowerBound
            let end = range.upperBound
            while i < end {
                let c = p[i]
                if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 || c == UInt8(ascii: ",") {
                    i += 1
                    continue
                }
                let (v, next) = FloatScanner.scan(p, i, end)
                precondition(next > i, "the parser validated this number")
                guard v.isFinite else { return .outOfRange(index: out.count) }
                out.append(v)
                i = next
            }
            return .values(out)
        }
    }

    public func doubles() -> Conversion<Double> {
        convert { p, r in JSONNumberList.double(from: p, r) }
    }

    private func convert<T: BinaryFloatingPoint>(
        _ parse: (UnsafeBufferPointer<UInt8>, Range<Int>) -> T
    ) -> Conversion<T> {
        source.withUnsafeBufferPointer { p in
            var out = [T]()
            out.reserveCapacity(count)
            var i = range.lowerBound
            let end = range.upperBound
            while i < end {
                let c = p[i]
                if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 || c == UInt8(ascii: ",") {
                    i += 1
                    continue
                }
                let start = i
                while i < end, Self.isNumberByte(p[i]) { i += 1 }
                let v = parse(p, start ..< i)
                guard v.isFinite else { return .outOfRange(index: out.count) }
                out.append(v)
            }
            return .values(out)
        }
    }

    @inline(__always) static func isNumberByte(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "-") || c == UInt8(ascii: "+")
            || c == UInt8(ascii: ".") || c | 0x20 == UInt8(ascii: "e")
    }

    /// Correctly rounded (the standard library's parser); used for scalars and small arrays only.
    static func double(from p: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Double {
        let text = String(decoding: UnsafeBufferPointer(rebasing: p[r]), as: UTF8.self)
        return Double(text) ?? .nan
    }
}
