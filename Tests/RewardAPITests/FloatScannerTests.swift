import Testing
import TestSupport
@testable import RewardAPI

/// The scanner must agree bit for bit with the standard library's correctly rounded parser.
struct FloatScannerTests {
    private func scan(_ s: String) -> Float {
        let bytes = Array(s.utf8)
        return bytes.withUnsafeBufferPointer { FloatScanner.float($0, 0 ..< bytes.count) }
    }

    private func check(_ s: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let expected = Float(s)!
        let got = scan(s)
        #expect(got.bitPattern == expected.bitPattern, "\(s): \(got) vs \(expected)", sourceLocation: sourceLocation)
    }

    @Test func edgeCases() {
        for s in [
            "0", "-0", "1", "-1", "0.1", "3.4028235e38", "3.4028236e38", "1.17549435e-38", "1e-45", "1.4e-45",
            "7e-46", "123456789012345678901234567890", "0.000000000000000000000000000001", "16777217",
            "16777216.5", "0.30000001192092896", "1.00000005960464477539062500001", "1.000000059604644775390625",
            "9007199254740993", "1e22", "1e23", "4.7019774e-38", "2.5e-8", "-1.5E+3", "1E0",
        ] { check(s) }
    }

    @Test func randomShortestAndLongRepresentations() async {
        await offPool {  // seconds of CPU: on a thread of its own, not the 2-thread pool
            var rng = SplitMix64(seed: 42)
            for _ in 0 ..< 200_000 {
                let bits = UInt32(truncatingIfNeeded: rng.next())
                let f = Float(bitPattern: bits)
                guard f.isFinite else { continue }
                check("\(f)")             // shortest round-trip form
                check("\(Double(f))")     // what Python's json.dumps of a float32 gives
            }
            for _ in 0 ..< 100_000 {
                // Random decimal strings with many digits and exponents, including midpoints' neighbourhoods.
                let digits = String(rng.next() % 100_000_000_000_000_000)
                let e = Int(rng.next() % 60) - 40
                check("\(digits)e\(e)")
                check("0.\(digits)")
            }
        }
    }
}

struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// `scanValidating` (the NDJSON fast path) accepts exactly the JSON number grammar and converts
/// like `scan`.
struct FloatScannerValidationTests {
    private func validating(_ s: String) -> (Float, Int)? {
        Array(s.utf8).withUnsafeBufferPointer { FloatScanner.scanValidating($0, 0, $0.count) }
    }

    @Test func acceptsJSONNumbersOnly() {
        for s in ["0", "-0", "7", "-12.5", "0.001", "1e5", "1E+5", "2.5e-3", "123456789012345678901234567890", "1e400", "-1e-400"] {
            let got = validating(s)
            #expect(got?.1 == s.utf8.count, "\(s)")
            let scanned = Array(s.utf8).withUnsafeBufferPointer { FloatScanner.scan($0, 0, $0.count).value }
            #expect(got?.0.bitPattern == scanned.bitPattern, "\(s)")
        }
        for s in ["", "-", "+1", "01", "-01", ".5", "1.", "1.e5", "1e", "1e+", "e5", "-.5", "NaN", "Infinity", "x"] {
            #expect(validating(s) == nil, "\(s)")
        }
        // A number ends where the grammar ends; what follows is the caller's business.
        #expect(validating("12,3")?.1 == 2)
        #expect(validating("0x1")?.1 == 1)
        #expect(validating("1.5]")?.1 == 3)
    }

    /// Digits are read eight at a time: whatever bytes follow a number inside those eight (a comma,
    /// a bracket, an exponent, a non-ASCII byte) must end it exactly where the grammar does.
    @Test func numbersFollowedByAnyBytes() {
        var rng = SplitMix64(seed: 11)
        let tails: [[UInt8]] = [Array(",1]".utf8), Array(" ]".utf8), Array("]}".utf8), [0xFF, 0x39], [0x3A], [0x2F], Array("e-7".utf8)]
        for _ in 0 ..< 50_000 {
            let f = Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()) & 0xBF7F_FFFF)
            let digits = String(rng.next() % 1_000_000_000_000)
            for text in ["\(f)", "\(Double(f))", "0.\(digits)", "-\(rng.next() % 100).\(digits)"] {
                var tail = tails[Int(rng.next() % UInt64(tails.count))]
                if text.contains("e") && tail.first == UInt8(ascii: "e") { tail = tails[0] }
                let bytes = Array(text.utf8) + tail
                let got = bytes.withUnsafeBufferPointer { FloatScanner.scanValidating($0, 0, $0.count) }
                if tail.first == UInt8(ascii: "e") {
                    #expect(got?.1 == bytes.count, "\(text)e-7")
                    #expect(got?.0.bitPattern == Float(text + "e-7")!.bitPattern, "\(text)e-7")
                } else {
                    #expect(got?.1 == text.utf8.count, "\(text)")
                    #expect(got?.0.bitPattern == Float(text)!.bitPattern, "\(text)")
                }
            }
        }
    }
}
