/// Small dense symmetric linear algebra in Float64 (K ≤ 1024, usually ≤ 64): Cholesky, solves, inverse.
enum SymmetricSolver {
    /// Lower-triangular L with A = L Lᵀ, or nil when A (n×n row-major) is not positive definite.
    static func cholesky(_ a: [Double], _ n: Int) -> [Double]? {
        var l = [Double](repeating: 0, count: n * n)
        for j in 0..<n {
            var d = a[j * n + j]
            for k in 0..<j { d -= l[j * n + k] * l[j * n + k] }
            guard d > 0, d.isFinite else { return nil }
            let root = d.squareRoot()
            l[j * n + j] = root
            for i in (j + 1)..<max(j + 1, n) {
                var s = a[i * n + j]
                for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
                l[i * n + j] = s / root
            }
        }
        return l
    }

    /// Solves L Lᵀ x = b.
    static func solve(cholesky l: [Double], _ b: [Double], _ n: Int) -> [Double] {
        var y = b
        for i in 0..<n {
            var s = y[i]
            for k in 0..<i { s -= l[i * n + k] * y[k] }
            y[i] = s / l[i * n + i]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            var s = y[i]
            for k in (i + 1)..<max(i + 1, n) { s -= l[k * n + i] * y[k] }
            y[i] = s / l[i * n + i]
        }
        return y
    }

    /// Cholesky of A + jitter·I with the smallest jitter (from 0, growing ×10) that works.
    static func regularizedCholesky(_ a: [Double], _ n: Int) -> [Double] {
        if let l = cholesky(a, n) { return l }
        var scale = 1e-12
        for i in 0..<n { scale = max(scale, abs(a[i * n + i])) }
        var jitter = scale * 1e-10
        while true {
            var b = a
            for i in 0..<n { b[i * n + i] += jitter }
            if let l = cholesky(b, n) { return l }
            jitter *= 10
            if !jitter.isFinite { return identity(n) }
        }
    }

    /// Σ = A⁻¹ for a precision matrix (regularised if it is not positive definite).
    static func inverse(_ a: [Double], _ n: Int) -> [Double] {
        let l = regularizedCholesky(a, n)
        var out = [Double](repeating: 0, count: n * n)
        for j in 0..<n {
            var e = [Double](repeating: 0, count: n)
            e[j] = 1
            let column = solve(cholesky: l, e, n)
            for i in 0..<n { out[i * n + j] = column[i] }
        }
        return out
    }

    static func identity(_ n: Int, scale: Double = 1) -> [Double] {
        var out = [Double](repeating: 0, count: n * n)
        for i in 0..<n { out[i * n + i] = scale }
        return out
    }

    static func quadraticForm(_ a: [Double], _ x: [Double], _ n: Int) -> Double {
        var total = 0.0
        for i in 0..<n {
            var s = 0.0
            for j in 0..<n { s += a[i * n + j] * x[j] }
            total += x[i] * s
        }
        return total
    }
}
