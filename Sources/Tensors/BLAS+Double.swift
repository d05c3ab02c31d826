import COpenBLAS

extension BLAS {
    /// Float64 `c = op(a) · b` for row-major buffers: op(a) is m×k (`a` is stored k×m when
    /// `transposeA`), b is k×n, c is m×n. Used where exactness matters more than speed (the pal-a
    /// ideal point's derivatives during adapt).
    public static func multiplyDouble(_ a: [Double], transposeA: Bool = false, m: Int, k: Int, _ b: [Double], n: Int) -> [Double] {
        precondition(a.count == m * k && b.count == k * n, "dgemm shapes differ")
        var c = [Double](repeating: 0, count: m * n)
        if m == 0 || n == 0 || k == 0 { return c }
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    cblas_dgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, CblasNoTrans,
                                Int32(m), Int32(n), Int32(k), 1, pa.baseAddress, Int32(transposeA ? m : k),
                                pb.baseAddress, Int32(n), 0, pc.baseAddress, Int32(n))
                }
            }
        }
        return c
    }
}
