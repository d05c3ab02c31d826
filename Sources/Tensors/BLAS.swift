import COpenBLAS

/// Thin, checked wrappers over OpenBLAS cblas. Shapes are asserted (a mismatch is a bug in the
/// caller, who validates user input first).
public enum BLAS {
    /// Sets how many threads OpenBLAS may use for one call. Set it explicitly so BLAS does not
    /// fight the event loops for cores.
    public static func setThreadCount(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    public static var threadCount: Int {
        Int(openblas_get_num_threads())
    }

    /// `alpha · op(a) · op(b) + beta · c`, where op transposes when asked. `c` must already have
    /// the result shape when `beta != 0`.
    public static func gemm(
        _ a: Matrix, transposeA: Bool = false,
        _ b: Matrix, transposeB: Bool = false,
        alpha: Float = 1, beta: Float = 0, into c: inout Matrix
    ) {
        let m = transposeA ? a.cols : a.rows
        let k = transposeA ? a.rows : a.cols
        let kb = transposeB ? b.cols : b.rows
        let n = transposeB ? b.rows : b.cols
        precondition(k == kb, "gemm inner dimensions differ: \(k) vs \(kb)")
        precondition(c.rows == m && c.cols == n, "gemm output has the wrong shape")
        if m == 0 || n == 0 { return }
        if k == 0 {
            for i in c.values.indices { c.values[i] *= beta }
            return
        }
        a.values.withUnsafeBufferPointer { pa in
            b.values.withUnsafeBufferPointer { pb in
                c.values.withUnsafeMutableBufferPointer { pc in
                    cblas_sgemm(
                        CblasRowMajor,
                        transposeA ? CblasTrans : CblasNoTrans,
                        transposeB ? CblasTrans : CblasNoTrans,
                        Int32(m), Int32(n), Int32(k),
                        alpha, pa.baseAddress, Int32(a.cols),
                        pb.baseAddress, Int32(b.cols),
                        beta, pc.baseAddress, Int32(n))
                }
            }
        }
    }

    /// `op(a) · op(b)` as a new matrix.
    public static func multiply(_ a: Matrix, transposeA: Bool = false, _ b: Matrix, transposeB: Bool = false) -> Matrix {
        var c = Matrix(rows: transposeA ? a.cols : a.rows, cols: transposeB ? b.rows : b.cols)
        gemm(a, transposeA: transposeA, b, transposeB: transposeB, into: &c)
        return c
    }

    /// `alpha · op(a) · x + beta · y`.
    public static func gemv(_ a: Matrix, transpose: Bool = false, _ x: [Float], alpha: Float = 1, beta: Float = 0, into y: inout [Float]) {
        let inCount = transpose ? a.rows : a.cols
        let outCount = transpose ? a.cols : a.rows
        precondition(x.count == inCount && y.count == outCount, "gemv shapes differ")
        if outCount == 0 { return }
        if inCount == 0 {
            for i in y.indices { y[i] *= beta }
            return
        }
        a.values.withUnsafeBufferPointer { pa in
            x.withUnsafeBufferPointer { px in
                y.withUnsafeMutableBufferPointer { py in
                    cblas_sgemv(
                        CblasRowMajor, transpose ? CblasTrans : CblasNoTrans,
                        Int32(a.rows), Int32(a.cols), alpha, pa.baseAddress, Int32(a.cols),
                        px.baseAddress, 1, beta, py.baseAddress, 1)
                }
            }
        }
    }

    /// The PyTorch `Linear` layer on a batch: `x · weightᵀ + bias`, weight in `[out, in]` layout.
    public static func linear(_ x: Matrix, weight: Matrix, bias: [Float]?) -> Matrix {
        if x.rows == 1 {
            // One row: sgemv reads the weight once; sgemm would first pack all of it.
            var y = bias ?? [Float](repeating: 0, count: weight.rows)
            precondition(y.count == weight.rows, "bias length differs from the layer's output size")
            gemv(weight, x.values, beta: bias == nil ? 0 : 1, into: &y)
            return Matrix(rows: 1, cols: weight.rows, values: y)
        }
        var y = Matrix(rows: x.rows, cols: weight.rows)
        if let bias, !bias.isEmpty {
            precondition(bias.count == weight.rows, "bias length differs from the layer's output size")
            y.values.withUnsafeMutableBufferPointer { p in
                bias.withUnsafeBufferPointer { b in
                    for r in 0..<x.rows {
                        UnsafeMutableRawPointer(p.baseAddress! + r * b.count).copyMemory(from: b.baseAddress!, byteCount: b.count * 4)
                    }
                }
            }
        }
        gemm(x, weight, transposeB: true, beta: bias == nil ? 0 : 1, into: &y)
        return y
    }
}
