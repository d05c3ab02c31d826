/// Closed-form logit, gradient and Hessian in θ for each kind (Float64).
extension PairFeatures {
    /// logit P(a≻b) at θ. Not available for `.projectedIdealPoint` (the objective handles it).
    func logit(theta: [Double]) -> Double {
        derivatives(theta: theta, order: 0).value
    }

    /// order 0: value only; 1: + gradient; 2: + Hessian.
    func derivatives(theta: [Double], order: Int) -> LogitDerivatives {
        let k = theta.count
        switch self {
        case let .fixed(margin):
            return LogitDerivatives(value: margin, gradient: [], hessian: [])
        case let .cosine(c, gram, scale):
            let w = Numerics.softmax(theta)
            let mw = Self.multiply(gram, w, k)
            let a = Numerics.dot(w, c)
            let q = max(Numerics.dot(w, mw), 0) + Numerics.normEpsilon * Numerics.normEpsilon
            let n = q.squareRoot()
            let value = scale * a / n
            guard order > 0 else { return LogitDerivatives(value: value, gradient: [], hessian: []) }
            let n3 = n * n * n
            let gw = (0..<k).map { scale * (c[$0] / n - a * mw[$0] / n3) }
            var hw: [Double] = []
            if order > 1 {
                let n5 = n3 * n * n
                hw = [Double](repeating: 0, count: k * k)
                for i in 0..<k {
                    for j in 0..<k {
                        hw[i * k + j] = scale * (-(c[i] * mw[j] + mw[i] * c[j]) / n3 - a * gram[i * k + j] / n3
                            + 3 * a * mw[i] * mw[j] / n5)
                    }
                }
            }
            return Self.throughSoftmax(value: value, w: w, gw: gw, hw: order > 1 ? hw : nil)
        case let .idealPoint(pa, pb, na, nb, gram):
            let w = Numerics.softmax(theta)
            let mw = Self.multiply(gram, w, k)
            let wmw = Numerics.dot(w, mw)
            func distance(_ p: [Double], _ normSquared: Double) -> (Double, [Double]) {
                let q = max(normSquared - 2 * Numerics.dot(w, p) + wmw, 0)
                let d = (q + Numerics.normEpsilon * Numerics.normEpsilon).squareRoot()
                return (d, (0..<k).map { mw[$0] - p[$0] })
            }
            let (da, ea) = distance(pa, na)
            let (db, eb) = distance(pb, nb)
            let value = db - da
            guard order > 0 else { return LogitDerivatives(value: value, gradient: [], hessian: []) }
            let gw = (0..<k).map { eb[$0] / db - ea[$0] / da }
            var hw: [Double] = []
            if order > 1 {
                hw = [Double](repeating: 0, count: k * k)
                let da3 = da * da * da, db3 = db * db * db
                for i in 0..<k {
                    for j in 0..<k {
                        let m = gram[i * k + j]
                        hw[i * k + j] = (m / db - eb[i] * eb[j] / db3) - (m / da - ea[i] * ea[j] / da3)
                    }
                }
            }
            return Self.throughSoftmax(value: value, w: w, gw: gw, hw: order > 1 ? hw : nil)
        case .projectedIdealPoint:
            preconditionFailure("projected ideal points are evaluated by ProjectedIdealPointObjective")
        case let .blocks(cross, offset, inverseTau):
            let lambda = Numerics.softmax((0..<k).map { theta[$0] + offset[$0] })
            let scaled = cross.map { $0 * inverseTau }
            let value = Numerics.dot(lambda, scaled)
            guard order > 0 else { return LogitDerivatives(value: value, gradient: [], hessian: []) }
            return Self.throughSoftmax(value: value, w: lambda, gw: scaled, hw: nil, wantHessian: order > 1)
        case let .mixture(diff, offset):
            let z = (0..<k).map { theta[$0] + offset[$0] }
            let up = (0..<k).map { z[$0] + Numerics.logSigmoid(diff[$0]) }
            let down = (0..<k).map { z[$0] + Numerics.logSigmoid(-diff[$0]) }
            let value = Numerics.logSumExp(up) - Numerics.logSumExp(down)
            guard order > 0 else { return LogitDerivatives(value: value, gradient: [], hessian: []) }
            let rho = Numerics.softmax(up), rhoDown = Numerics.softmax(down)
            let gradient = (0..<k).map { rho[$0] - rhoDown[$0] }
            var hessian: [Double] = []
            if order > 1 {
                hessian = [Double](repeating: 0, count: k * k)
                for i in 0..<k {
                    for j in 0..<k {
                        hessian[i * k + j] = -rho[i] * rho[j] + rhoDown[i] * rhoDown[j]
                    }
                    hessian[i * k + i] += rho[i] - rhoDown[i]
                }
            }
            return LogitDerivatives(value: value, gradient: gradient, hessian: hessian)
        }
    }

    static func multiply(_ m: [Double], _ v: [Double], _ k: Int) -> [Double] {
        (0..<k).map { i in
            var s = 0.0
            for j in 0..<k { s += m[i * k + j] * v[j] }
            return s
        }
    }

    /// Chain rule through w = softmax(θ): ∇θ = J gw with J = diag(w) − wwᵀ, and
    /// ∇²θ = J Hw J + diag(g̃) − g̃wᵀ − wg̃ᵀ where g̃ = ∇θ (the softmax's own curvature).
    static func throughSoftmax(value: Double, w: [Double], gw: [Double], hw: [Double]?, wantHessian: Bool = true) -> LogitDerivatives {
        let k = w.count
        let mean = Numerics.dot(w, gw)
        let g = (0..<k).map { w[$0] * (gw[$0] - mean) }
        guard wantHessian || hw != nil else { return LogitDerivatives(value: value, gradient: g, hessian: []) }
        return LogitDerivatives(value: value, gradient: g, hessian: softmaxCurvature(w: w, hw: hw, g: g))
    }

    /// J Hw J + diag(g) − g wᵀ − w gᵀ (J = diag(w) − wwᵀ): the θ-Hessian of a function of
    /// w = softmax(θ) with w-Hessian Hw and θ-gradient g. Linear in (Hw, g), so sums of such terms
    /// can be aggregated first.
    static func softmaxCurvature(w: [Double], hw: [Double]?, g: [Double]) -> [Double] {
        let k = w.count
        var h = [Double](repeating: 0, count: k * k)
        if let hw {
            let yw = multiply(hw, w, k)       // Hw·w (Hw is symmetric, so also wᵀHw)
            let wyw = Numerics.dot(w, yw)
            for i in 0..<k {
                for j in 0..<k {
                    h[i * k + j] = w[i] * w[j] * (hw[i * k + j] - yw[i] - yw[j] + wyw)
                }
            }
        }
        for i in 0..<k {
            for j in 0..<k { h[i * k + j] -= g[i] * w[j] + w[i] * g[j] }
            h[i * k + i] += g[i]
        }
        return h
    }
}
