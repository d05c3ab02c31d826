import COpenBLAS

extension BLAS {
    /// Row-major `sgemm` on raw, strided storage: `c = alpha · op(a) · op(b) + beta · c`, where `op(a)`
    /// is m×k, `op(b)` is k×n and each operand may be a window of a wider buffer (leading dimensions
    /// `lda`, `ldb`, `ldc` in elements). Lets callers run per-head attention products straight on a
    /// packed Q/K/V buffer without copying slices out. The caller guarantees the pointers cover the
    /// shapes (a violation is a bug, as with cblas).
    public static func gemm(
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        _ a: UnsafePointer<Float>, lda: Int, transposeA: Bool = false,
        _ b: UnsafePointer<Float>, ldb: Int, transposeB: Bool = false,
        beta: Float = 0,
        _ c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "gemm with a negative dimension")
        precondition(lda >= max(1, transposeA ? m : k), "gemm lda smaller than a row of A")
        precondition(ldb >= max(1, transposeB ? k : n), "gemm ldb smaller than a row of B")
        precondition(ldc >= max(1, n), "gemm ldc smaller than a row of C")
        if m == 0 || n == 0 { return }
        cblas_sgemm(
            CblasRowMajor,
            transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k),
            alpha, a, Int32(lda),
            b, Int32(ldb),
            beta, c, Int32(ldc))
    }
}
