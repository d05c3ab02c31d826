/// The element-wise parts of the BERT forward pass, written as flat loops over raw pointers with
/// branch-free bodies so the optimizer vectorises them (libm's expf/erff per element cost as much
/// as the sgemms at 256 tokens).
enum Kernels {
    /// `x[r] = LayerNorm(x[r] + delta[r] + bias)` for each of `rows` rows of `width`: the post-LN
    /// residual step, fused into one pass.
    static func addBiasResidualLayerNorm(
        _ x: UnsafeMutablePointer<Float>, delta: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, rows: Int, width: Int, epsilon: Float
    ) {
        for r in 0..<rows {
            let row = x + r * width
            let d = delta + r * width
            for j in 0..<width { row[j] += d[j] + bias[j] }
            normalize(row, mean: sum(row, count: width) / Float(width), gamma: gamma, beta: beta, width: width, epsilon: epsilon)
        }
    }

    /// Plain LayerNorm of each row, in place.
    static func layerNorm(
        _ x: UnsafeMutablePointer<Float>, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
        rows: Int, width: Int, epsilon: Float
    ) {
        for r in 0..<rows {
            let row = x + r * width
            normalize(row, mean: sum(row, count: width) / Float(width), gamma: gamma, beta: beta, width: width, epsilon: epsilon)
        }
    }

    @inline(__always)
    private static func normalize(
        _ row: UnsafeMutablePointer<Float>, mean: Float, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
        width: Int, epsilon: Float
    ) {
        let raw = UnsafeRawPointer(row)
        var accumulator = SIMD8<Float>()
        var j = 0
        while j + 8 <= width {
            let c = raw.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self) - mean
            accumulator += c * c
            j += 8
        }
        var squares = accumulator.sum()
        while j < width {
            let c = row[j] - mean
            squares += c * c
            j += 1
        }
        let inverse = 1 / (squares / Float(width) + epsilon).squareRoot()
        for j in 0..<width { row[j] = (row[j] - mean) * inverse * gamma[j] + beta[j] }
    }

    /// `x[r] += bias` for each row.
    static func addBias(_ x: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>, rows: Int, width: Int) {
        for r in 0..<rows {
            let row = x + r * width
            for j in 0..<width { row[j] += bias[j] }
        }
    }

    /// `x[r] = GELU(x[r] + bias)`, exact (erf) GELU as in PyTorch's default.
    static func addBiasGELU(_ x: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>, rows: Int, width: Int) {
        for r in 0..<rows {
            let row = x + r * width
            for j in 0..<width {
                let v = row[j] + bias[j]
                row[j] = 0.5 * v * (1 + erf(v * 0.707_106_781_186_547_524_4))
            }
        }
    }

    /// Softmax of each of `rows` rows of `width`, stored with leading dimension `stride`. The
    /// reductions go through SIMD accumulators (a plain float reduction does not vectorise), the
    /// exp loop has none.
    static func softmaxRows(_ x: UnsafeMutablePointer<Float>, rows: Int, width: Int, stride: Int) {
        for r in 0..<rows {
            let row = x + r * stride
            let maximum = self.maximum(row, count: width)
            for j in 0..<width { row[j] = exp(row[j] - maximum) }
            let inverse = 1 / sum(row, count: width)
            for j in 0..<width { row[j] *= inverse }
        }
    }

    @inline(__always)
    static func sum(_ p: UnsafePointer<Float>, count: Int) -> Float {
        let raw = UnsafeRawPointer(p)
        var accumulator = SIMD8<Float>()
        var i = 0
        while i + 8 <= count {
            accumulator += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        var total = accumulator.sum()
        while i < count {
            total += p[i]
            i += 1
        }
        return total
    }

    @inline(__always)
    static func maximum(_ p: UnsafePointer<Float>, count: Int) -> Float {
        let raw = UnsafeRawPointer(p)
        var accumulator = SIMD8<Float>(repeating: -.greatestFiniteMagnitude)
        var i = 0
        while i + 8 <= count {
            // `replacing(with:where:)` specialises to a compare + blend; the generic pointwiseMax
            // stayed an out-of-line call.
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            accumulator.replace(with: v, where: v .> accumulator)
            i += 8
        }
        var best = accumulator.max()
        while i < count {
            best = Swift.max(best, p[i])
            i += 1
        }
        return best
    }

    /// erf on Float: the rational approximation Eigen and XLA use (odd degree-13 over even degree-8
    /// polynomial, clamped to ±4, where erf is ±1 in single precision); within a few ulp.
    @inline(__always)
    static func erf(_ value: Float) -> Float {
        let x = min(max(value, -4), 4)
        let x2 = x * x
        var p: Float = -2.72614225801306e-10
        p = p * x2 + 2.77068142495902e-08
        p = p * x2 - 2.10102402082508e-06
        p = p * x2 - 5.69250639462346e-05
        p = p * x2 - 7.34990630326855e-04
        p = p * x2 - 2.95459980854025e-03
        p = p * x2 - 1.60960333262415e-02
        var q: Float = -1.45660718464996e-05
        q = q * x2 - 2.13374055278905e-04
        q = q * x2 - 1.68282697438203e-03
        q = q * x2 - 7.37332916720468e-03
        q = q * x2 - 1.42647390514189e-02
        return x * p / q
    }

    /// eˣ on Float: Cody–Waite reduction x = n·ln2 + r (|r| ≤ ½ln2, ln2 split in two so n·ln2 is
    /// exact), a degree-6 polynomial for eʳ (Cephes' expf coefficients, ≈1 ulp), and 2ⁿ built in
    /// the exponent bits. Below −87.3 it returns 0 (softmax only feeds it x − max ≤ 0).
    @inline(__always)
    static func exp(_ value: Float) -> Float {
        let x = min(max(value, -87.3), 88.3)
        // Round to nearest by the 1.5·2²³ trick: n then also sits in the low mantissa bits.
        let shifted = x * 1.442_695_04 + 12_582_912
        let n = shifted - 12_582_912
        let r = x - n * 0.693_359_375 + n * 2.121_944_4e-4
        var p: Float = 1.987_569_15e-4
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_12e-1
        let er = p * r * r + r + 1
        let scale = Float(bitPattern: UInt32(bitPattern: (Int32(bitPattern: shifted.bitPattern) &- 0x4B40_0000) &+ 127) &<< 23)
        return value < -87.3 ? 0 : er * scale
    }
}
