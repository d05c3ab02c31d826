extension BLAS {
    /// The PyTorch `Linear` layer with the batch held feature-major: returns yᵀ = weight · xᵀ + bias
    /// (outputs × batch, one item per column), weight in `[out, in]` layout. `x` is the batch either
    /// item-major (batch × in, `itemsAreRows`) or already feature-major (in × batch, a previous layer's
    /// output). Why this order: OpenBLAS streams the packed second operand through its kernel once per
    /// block of the first, so with the weight first a small batch stays in cache, whereas `x · weightᵀ`
    /// re-streams the whole packed weight for few rows (d=1024 layers, 1 thread: 1.3–2× faster at
    /// batch 16–64, no slower at 1,024).
    public static func linearFeatureMajor(_ x: Matrix, itemsAreRows: Bool, weight: Matrix, bias: [Float]?) -> Matrix {
        let batch = itemsAreRows ? x.rows : x.cols
        var y = Matrix(rows: weight.rows, cols: batch)
        let hasBias = !(bias ?? []).isEmpty
        if let bias, hasBias {
            precondition(bias.count == weight.rows, "bias length differs from the layer's output size")
            y.values.withUnsafeMutableBufferPointer { p in
                for o in 0..<weight.rows {
                    UnsafeMutableBufferPointer(rebasing: p[o * batch ..< (o + 1) * batch]).update(repeating: bias[o])
                }
            }
        }
        gemm(weight, x, transposeB: itemsAreRows, beta: hasBias ? 1 : 0, into: &y)
        return y
    }
}
