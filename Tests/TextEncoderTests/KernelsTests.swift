import CTextKernels
import Foundation
import Testing

/// The C element-wise kernels against libm in Double, on widths with and without an 8-lane tail.
struct KernelsTests {
    @Test(arguments: [5, 8, 13, 256])
    func expRowsIsASoftmaxNumeratorWithItsInverseSum(width: Int) {
        let rows = 3
        var x: [Float] = (0..<rows * width).map { (i: Int) -> Float in
            let wave = Float(sin(Double(i) * 1.7)) * 40
            return wave - Float(i % 7) * 9
        }
        let original = x
        var inverses = [Float](repeating: 0, count: rows)
        CTextKernels_expRows(&x, rows, width, width, &inverses)
        for r in 0..<rows {
            let row = Array(original[r * width ..< (r + 1) * width])
            let maximum: Float = row.max()!
            // The argument is the Float difference (as in the kernel); exp of it in Double.
            let expected: [Double] = row.map { (v: Float) -> Double in Foundation.exp(Double(v - maximum)) }
            for j in 0..<width {
                let want: Double = expected[j]
                let got = Double(x[r * width + j])
                if row[j] - maximum < -87.3 {
                    #expect(got == 0, "below e^-87.3 (≈ 1e-38, under Float's normal range) the kernel flushes to 0")
                } else {
                    #expect(abs(got - want) <= 2.5e-7 * want)  // ≈ 2 ulp
                }
            }
            #expect(abs(Double(inverses[r]) * expected.reduce(0, +) - 1) < 1e-6)
        }
    }

    @Test(arguments: [7, 16, 1536 + 3])
    func geluMatchesTheErfDefinition(width: Int) {
        let bias = (0..<width).map { Float($0 % 5) * 0.25 - 0.5 }
        var x: [Float] = (0..<2 * width).map { (i: Int) -> Float in Float(i) / Float(width) * 12 - 10 }
        let original = x
        CTextKernels_addBiasGELU(&x, bias, 2, width, width)
        for i in 0..<x.count {
            let v = Double(original[i] + bias[i % width])
            let expected: Double = 0.5 * v * (1 + Foundation.erf(v / 2.0.squareRoot()))
            #expect(abs(Double(x[i]) - expected) <= 2e-6 * max(1, abs(expected)))
        }
    }

    /// A column block of a wider matrix (a part's share of the FFN product): only the block changes.
    @Test func geluOnABlockLeavesTheRestAlone() {
        let stride = 40, columns = 8..<29, rows = 3
        let bias = (0..<columns.count).map { Float($0) * 0.1 }
        var x: [Float] = (0..<rows * stride).map { Float($0 % 17) * 0.3 - 2 }
        let original = x
        x.withUnsafeMutableBufferPointer { CTextKernels_addBiasGELU($0.baseAddress! + columns.lowerBound, bias, rows, columns.count, stride) }
        for r in 0..<rows {
            for j in 0..<stride {
                let before = original[r * stride + j], after = x[r * stride + j]
                if columns.contains(j) {
                    let v = Double(before + bias[j - columns.lowerBound])
                    #expect(abs(Double(after) - 0.5 * v * (1 + Foundation.erf(v / 2.0.squareRoot()))) <= 2e-6 * max(1, abs(v)))
                } else {
                    #expect(after == before)
                }
            }
        }
    }
}
