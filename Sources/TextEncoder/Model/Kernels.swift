import CTextKernels

/// The element-wise parts of the BERT forward pass, written as flat loops over raw pointers with
/// branch-free bodies so the optimizer vectorises them; exp and erf (libm's per element cost as much
/// as the sgemms at 256 tokens) are polynomial kernels in CTextKernels.
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

    /// `x[r] += bias` for each of `rows` rows of `width` with leading dimension `stride`.
    static func addBias(_ x: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>, rows: Int, width: Int, stride: Int) {
        for r in 0..<rows {
            let row = x + r * stride
            for j in 0..<width { row[j] += bias[j] }
        }
    }

    /// `x[r] = GELU(x[r] + bias)`, exact (erf) GELU as in PyTorch's default; the erf is the
    /// rational approximation Eigen and XLA use (within a few ulp), 8 lanes with AVX2 (CTextKernels).
    static func addBiasGELU(_ x: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>, rows: Int, width: Int, stride: Int) {
        CTextKernels_addBiasGELU(x, bias, rows, width, stride)
    }

    /// The unnormalised half of a softmax: `x[r] = exp(x[r] − max x[r])`, and `1 / Σ` of each row
    /// into `inverseSums`. Attention applies the `1 / Σ` to the 32-wide product with V instead of
    /// the 256-wide probability row. exp (Cody–Waite reduction, Cephes' degree-6 polynomial, ≈1 ulp)
    /// runs 8 lanes wide with AVX2 in CTextKernels: the Swift build targets baseline x86-64 (SSE),
    /// where this loop cost 7–9% of a 256-token forward.
    static func expRows(_ x: UnsafeMutablePointer<Float>, rows: Int, width: Int, stride: Int, inverseSums: UnsafeMutablePointer<Float>) {
        CTextKernels_expRows(x, rows, width, stride, inverseSums)
    }

    /// `x[r] *= scales[r]` for each of `rows` rows of `width` with leading dimension `stride`.
    static func scaleRows(_ x: UnsafeMutablePointer<Float>, rows: Int, width: Int, stride: Int, scales: UnsafePointer<Float>) {
        for r in 0..<rows {
            let row = x + r * stride
            let s = scales[r]
            for j in 0..<width { row[j] *= s }
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
}
