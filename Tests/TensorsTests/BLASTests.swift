import Testing
@testable import Tensors

struct BLASTests {
    static func naive(_ a: Matrix, _ b: Matrix) -> Matrix {
        var c = Matrix(rows: a.rows, cols: b.cols)
        for i in 0..<a.rows { for j in 0..<b.cols { for k in 0..<a.cols { c[i, j] += a[i, k] * b[k, j] } } }
        return c
    }

    static func sample(_ rows: Int, _ cols: Int, seed: Int) -> Matrix {
        Matrix(rows: rows, cols: cols, values: (0..<rows * cols).map { Float(($0 * 7 + seed * 13) % 17) / 8 - 1 })
    }

    @Test func gemmMatchesNaiveForEveryTransposition() {
        let a = Self.sample(5, 3, seed: 1), b = Self.sample(3, 4, seed: 2)
        let expected = Self.naive(a, b)
        let products = [
            BLAS.multiply(a, b),
            BLAS.multiply(a.transposed, transposeA: true, b),
            BLAS.multiply(a, b.transposed, transposeB: true),
            BLAS.multiply(a.transposed, transposeA: true, b.transposed, transposeB: true),
        ]
        for p in products {
            #expect(p.rows == 5 && p.cols == 4)
            for (x, y) in zip(p.values, expected.values) { #expect(abs(x - y) < 1e-5) }
        }
    }

    @Test func linearIsXWTransposePlusBias() {
        let x = Self.sample(2, 3, seed: 3), w = Self.sample(4, 3, seed: 4)
        let bias: [Float] = [1, 2, 3, 4]
        let y = BLAS.linear(x, weight: w, bias: bias)
        let expected = Self.naive(x, w.transposed)
        for r in 0..<2 { for c in 0..<4 { #expect(abs(y[r, c] - expected[r, c] - bias[c]) < 1e-5) } }
        var v = [Float](repeating: 0, count: 4)
        BLAS.gemv(w, Array(x.row(0)), into: &v)
        for c in 0..<4 { #expect(abs(v[c] - expected[0, c]) < 1e-5) }
    }

    /// The feature-major Linear layer is the transpose of `linear`, from item rows or from a previous
    /// feature-major output, with and without a bias (shapes off the transpose's 16×16 tiles).
    @Test func linearFeatureMajorIsTheTransposeOfLinear() {
        let x = Self.sample(19, 35, seed: 5), w = Self.sample(21, 35, seed: 6)
        let bias = (0..<21).map { Float($0) / 4 - 2 }
        for b in [nil, bias] {
            let expected = BLAS.linear(x, weight: w, bias: b)
            let fromRows = BLAS.linearFeatureMajor(x, itemsAreRows: true, weight: w, bias: b)
            let fromColumns = BLAS.linearFeatureMajor(x.transposed, itemsAreRows: false, weight: w, bias: b)
            for y in [fromRows, fromColumns] {
                #expect(y.rows == 21 && y.cols == 19)
                for r in 0..<19 { for c in 0..<21 { #expect(abs(y[c, r] - expected[r, c]) < 1e-4) } }
            }
        }
        let t = x.transposed
        #expect(t.rows == 35 && t.cols == 19)
        for r in 0..<19 { for c in 0..<35 { #expect(t[c, r] == x[r, c]) } }
        #expect(t.transposed == x)
    }

    @Test func emptyShapesAndThreadCount() {
        let empty = BLAS.multiply(Matrix(rows: 0, cols: 3), Self.sample(3, 2, seed: 1))
        #expect(empty.rows == 0 && empty.cols == 2)
        let zeroInner = BLAS.multiply(Matrix(rows: 2, cols: 0), Matrix(rows: 0, cols: 2))
        #expect(zeroInner.values == [0, 0, 0, 0])
        BLAS.setThreadCount(1)
        #expect(BLAS.threadCount == 1)
    }
}
