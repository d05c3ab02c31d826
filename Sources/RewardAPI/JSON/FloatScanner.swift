/// Decimal text → Float, correctly rounded, without going through a String.
///
/// Why it is exact: the digits (first 19 significant) and the decimal exponent give x = m·10^e.
/// For |e| ≤ 22 both m (as Double) and 10^|e| are within one rounding of exact, so one multiply or
/// divide yields d within ~2 Double ulps of x. Float(d) then equals the correctly rounded Float(x)
/// unless a Float rounding midpoint lies within that error band of d — checked on d's low 29
/// mantissa bits. Those rare cases, |e| > 22, and values near Float's range limits fall back to the
/// standard library's correctly rounded parser.
enum FloatScanner {
    // A literal, not a computed table: a constant array is emitted statically, with no lazy-init
    // check (`swift_once`) on every number.
    private static let powersOf10: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
        1e19, 1e20, 1e21, 1e22,
    ]

    static func float(_ p: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Float {
        scan(p, r.lowerBound, r.upperBound).value
    }

    /// Parses the number starting at `start` (already validated JSON grammar) and returns it with the
    /// index just past it, so a list is converted in one pass without finding token ends first.
    static func scan(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (value: Float, next: Int) {
        parse(p, start, end, strict: false)!
    }

    /// Like `scan`, but checks the JSON number grammar, -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?, in the
    /// same pass: nil when the text at `start` is not a JSON number. Validation and conversion in one
    /// pass is what the NDJSON line decoder uses (a separate validating pass cost as much again).
    static func scanValidating(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (value: Float, next: Int)? {
        parse(p, start, end, strict: true)
    }

    @inline(__always)
    private static func parse(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, strict: Bool) -> (value: Float, next: Int)? {
        @inline(__always) func digit(_ i: Int) -> Bool { i < end && p[i] &- UInt8(ascii: "0") < 10 }
        var i = start
        var negative = false
        if i < end, p[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        if strict {
            guard digit(i) else { return nil }
            if p[i] == UInt8(ascii: "0"), digit(i + 1) { return nil }  // leading zero
        }
        var mantissa: UInt64 = 0
        var significant = 0
        var exponent = 0
        var truncated = false
        // Integer part. Wrapping arithmetic: at most 19 digits reach the mantissa (< 10^19 < 2^64) and
        // the exponent is capped, so nothing can overflow (the checks were a visible share of the loop).
        while digit(i) {
            let d = UInt64(p[i] &- UInt8(ascii: "0"))
            if significant < 19 {
                mantissa = mantissa &* 10 &+ d
                if mantissa != 0 { significant &+= 1 }
            } else {
                exponent &+= 1
                if d != 0 { truncated = true }
            }
            i += 1
        }
        // Fraction.
        if i < end, p[i] == UInt8(ascii: ".") {
            i += 1
            if strict, !digit(i) { return nil }
            while true {
                // Up to eight digits at once (feature vectors are mostly fraction digits).
                if i &+ 8 <= end, let run = eightDigits(p, i), run.count > 0, significant &+ run.count <= 19 {
                    if mantissa != 0 {
                        significant &+= run.count
                    } else if run.value != 0 {
                        significant = run.count &- run.leadingZeros  // leading zeros are not significant
                    }
                    mantissa = mantissa &* powersOf10Int[run.count] &+ run.value
                    exponent &-= run.count
                    i &+= run.count
                    if run.count == 8 { continue }
                    break
                }
                guard digit(i) else { break }
                let d = UInt64(p[i] &- UInt8(ascii: "0"))
                if significant < 19 {
                    mantissa = mantissa &* 10 &+ d
                    if mantissa != 0 { significant &+= 1 }
                    exponent &-= 1
                } else if d != 0 {
                    truncated = true
                }
                i += 1
            }
        }
        // Exponent.
        if i < end, p[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var expNegative = false
            if i < end, p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-") {
                expNegative = p[i] == UInt8(ascii: "-")
                i += 1
            }
            if strict, !digit(i) { return nil }
            var e = 0
            while digit(i) {
                if e < 100_000 { e = e &* 10 &+ Int(p[i] &- UInt8(ascii: "0")) }
                i += 1
            }
            exponent += expNegative ? -e : e
        }
        if mantissa == 0 { return (negative ? -0.0 : 0.0, i) }

        // Exact in Float: m < 2^24 and 10^|e| ≤ 10^10 are both representable, one rounding.
        if !truncated, mantissa < (1 << 24), exponent >= -10, exponent <= 10 {
            var f = Float(mantissa)
            f = exponent < 0 ? f / Float(powersOf10[-exponent]) : f * Float(powersOf10[exponent])
            return (negative ? -f : f, i)
        }
        if exponent >= -22, exponent <= 22 {
            var d = Double(mantissa)
            d = exponent < 0 ? d / powersOf10[-exponent] : d * powersOf10[exponent]
            if d >= 1.2e-38, d <= 3.4e38, !nearFloatMidpoint(d) {
                let f = Float(d)
                return (negative ? -f : f, i)
            }
        }
        return (slowPath(p, start ..< i), i)
    }

    private static let powersOf10Int: [UInt64] = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000]

    /// The run of decimal digits (0…8 of them) in the eight bytes at `i` (SWAR: no branch per digit):
    /// its length, value and leading zeros. Needs `i + 8 <= p.count`.
    @inline(__always)
    private static func eightDigits(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> (count: Int, value: UInt64, leadingZeros: Int)? {
        let word = UInt64(littleEndian: UnsafeRawPointer(p.baseAddress! + i).loadUnaligned(as: UInt64.self))
        let t = word ^ 0x3030_3030_3030_3030  // a digit byte becomes 0…9
        // A byte is not a digit when its high nibble is set or its low nibble is above 9 (+6 carries
        // into bit 4). A carry out of a byte ≥ 0xFA can only disturb bytes after the first non-digit.
        let notDigit = (t & 0xF0F0_F0F0_F0F0_F0F0) | ((t &+ 0x0606_0606_0606_0606) & 0x1010_1010_1010_1010)
        let count = notDigit == 0 ? 8 : notDigit.trailingZeroBitCount >> 3
        guard count > 0 else { return nil }
        let digits = count == 8 ? t : t & ((1 << UInt64(count << 3)) &- 1)
        // The first digit is the lowest byte: shift the run to the top so missing digits act as
        // leading zeros, then combine pairs, quads and octets (Lemire's eight-digit parse).
        var v = digits << UInt64((8 - count) << 3)
        v = (v &* (10 << 8 + 1)) >> 8  // byte k: 10·d(k) + d(k+1)
        v = ((v & 0x00FF_00FF_00FF_00FF) &* (100 << 16 + 1)) >> 16
        v = ((v & 0x0000_FFFF_0000_FFFF) &* (10_000 << 32 + 1)) >> 32
        let zeros = digits == 0 ? count : digits.trailingZeroBitCount >> 3
        return (count, v & 0xFFFF_FFFF, zeros)
    }

    /// True when d is within a few Double ulps of a point halfway between two Floats.
    @inline(__always) private static func nearFloatMidpoint(_ d: Double) -> Bool {
        let low = d.bitPattern & ((1 << 29) - 1)
        let half: UInt64 = 1 << 28
        let distance = low > half ? low - half : half - low
        return distance <= 16
    }

    private static func slowPath(_ p: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Float {
        let text = String(decoding: UnsafeBufferPointer(rebasing: p[r]), as: UTF8.self)
        return Float(text) ?? .nan
    }
}
