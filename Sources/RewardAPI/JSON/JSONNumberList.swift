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

    /// Correctly rounded straight to Float by the scanner (the hot path: feature vectors).
    public func floats() -> Conversion<Float> {
        convert { p, start, end in FloatScanner.scan(p, start, end) }
    }

    /// Through the standard library's parser (states and small arrays).
    public func doubles() -> Conversion<Double> {
        convert { p, start, end in
            var next = start
            while next < end, Self.isNumberByte(p[next]) { next += 1 }
            return (JSONNumberList.double(from: p, start ..< next), next)
        }
    }

    /// One pass: separators skipped, each number parsed where it starts (`scan` returns it and where it ends).
    @inline(__always)
    private func convert<T: BinaryFloatingPoint>(
        _ scan: (UnsafeBufferPointer<UInt8>, Int, Int) -> (value: T, next: Int)
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
                let (v, next) = scan(p, i, end)
                precondition(next > i, "the parser validated this number")
                guard v.isFinite else { return .outOfRange(index: out.count) }
                out.append(v)
                i = next
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
