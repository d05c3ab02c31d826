import Foundation

/// mlp2 on a single vector in Float64, with a vector–Jacobian product: pal-a's ideal point
/// a_u = f(wᵀP) runs f once per objective evaluation, so adapt needs f and its backward pass exactly.
struct DoubleMLP {
    struct Layer {
        let weight: [Double]   // out × in
        let bias: [Double]
        let outputs: Int
        let inputs: Int
    }

    let layers: [Layer]
    let activation: HeadConfig.Activation
    let residual: Bool

    init(_ mlp: MLP) {
        layers = mlp.layers.map {
            Layer(weight: $0.weight.values.map(Double.init), bias: $0.bias?.map(Double.init) ?? [Double](repeating: 0, count: $0.outputs),
                  outputs: $0.outputs, inputs: $0.inputs)
        }
        activation = mlp.activation
        residual = mlp.residual
    }

    /// Output plus the pre-activations each hidden layer saw (for `backward`).
    func forward(_ x: [Double]) -> (output: [Double], preActivations: [[Double]]) {
        var h = x
        var saved: [[Double]] = []
        for (index, layer) in layers.enumerated() {
            var y = layer.bias
            for o in 0..<layer.outputs {
                var s = 0.0
                let row = o * layer.inputs
                for i in 0..<layer.inputs { s += layer.weight[row + i] * h[i] }
                y[o] += s
            }
            if index < layers.count - 1 {
                saved.append(y)
                h = y.map(activate)
            } else {
                h = y
            }
        }
        if residual { for i in h.indices { h[i] += x[i] } }
        return (h, saved)
    }

    /// (∂f/∂x)ᵀ · upstream.
    func backward(_ upstream: [Double], preActivations: [[Double]]) -> [Double] {
        var g = upstream
        for index in stride(from: layers.count - 1, through: 0, by: -1) {
            let layer = layers[index]
            var down = [Double](repeating: 0, count: layer.inputs)
            for o in 0..<layer.outputs where g[o] != 0 {
                let row = o * layer.inputs
                for i in 0..<layer.inputs { down[i] += layer.weight[row + i] * g[o] }
            }
            if index > 0 {
                let pre = preActivations[index - 1]
                for i in down.indices { down[i] *= derivative(pre[i]) }
            }
            g = down
        }
        if residual { for i in g.indices { g[i] += upstream[i] } }
        return g
    }

    private func activate(_ x: Double) -> Double {
        switch activation {
        case .relu: x > 0 ? x : 0
        case .gelu: 0.5 * x * (1 + erf(x * 0.70710678118654752))
        }
    }

    private func derivative(_ x: Double) -> Double {
        switch activation {
        case .relu: x > 0 ? 1 : 0
        case .gelu: 0.5 * (1 + erf(x * 0.70710678118654752)) + x * exp(-0.5 * x * x) * 0.3989422804014327
        }
    }
}

/// pal-a with a_u = f(wᵀP): the ideal point moves through the projector, so the objective runs f
/// (and its backward pass) once per evaluation; the Hessian is a central difference of the exact gradient.
struct ProjectedIdealPointObjective: FitObjective {
    let pairs: [(fa: [Double], fb: [Double], weight: Double)]
    let projector: DoubleMLP
    let prototypes: [[Double]]   // K rows of d
    let loss: PairwiseLoss
    let prior: Double
    let anchor: [Double]

    var dimension: Int { anchor.count }

    func idealPoint(_ theta: [Double]) -> (w: [Double], a: [Double], pre: [[Double]]) {
        let w = Numerics.softmax(theta)
        var z = [Double](repeating: 0, count: prototypes[0].count)
        for k in w.indices { for j in z.indices { z[j] += w[k] * prototypes[k][j] } }
        let (a, pre) = projector.forward(z)
        return (w, a, pre)
    }

    func valueAndGradient(_ theta: [Double]) -> Evaluation {
        let (w, a, pre) = idealPoint(theta)
        var value = 0.0, correct = 0.0
        var upstream = [Double](repeating: 0, count: a.count)
        let eps2 = Numerics.normEpsilon * Numerics.normEpsilon
        for pair in pairs {
            var qa = 0.0, qb = 0.0
            for j in a.indices {
                qa += (pair.fa[j] - a[j]) * (pair.fa[j] - a[j])
                qb += (pair.fb[j] - a[j]) * (pair.fb[j] - a[j])
            }
            let da = (qa + eps2).squareRoot(), db = (qb + eps2).squareRoot()
            let h = db - da
            value += pair.weight * loss.value(h)
            correct += h > 0 ? 1 : (h == 0 ? 0.5 : 0)
            let d1 = pair.weight * loss.derivative(h)
            for j in a.indices { upstream[j] += d1 * ((a[j] - pair.fb[j]) / db - (a[j] - pair.fa[j]) / da) }
        }
        let dz = projector.backward(upstream, preActivations: pre)
        let gw = prototypes.map { Numerics.dot($0, dz) }
        let mean = Numerics.dot(w, gw)
        var gradient = w.indices.map { w[$0] * (gw[$0] - mean) }
        var none: [Double] = []
        PairwiseObjective.addPrior(prior, anchor: anchor, theta: theta, value: &value, gradient: &gradient, hessian: &none)
        return Evaluation(value: value, gradient: gradient, hessian: [], accuracy: pairs.isEmpty ? 0 : correct / Double(pairs.count))
    }

    func evaluate(_ theta: [Double], hessian: Bool) -> Evaluation {
        var result = valueAndGradient(theta)
        guard hessian else { return result }
        let k = theta.count
        var h = [Double](repeating: 0, count: k * k)
        for j in 0..<k {
            let step = 1e-5 * (1 + abs(theta[j]))
            var plus = theta, minus = theta
            plus[j] += step
            minus[j] -= step
            let gp = valueAndGradient(plus).gradient, gm = valueAndGradient(minus).gradient
            for i in 0..<k { h[i * k + j] = (gp[i] - gm[i]) / (2 * step) }
        }
        for i in 0..<k { for j in 0..<i { let s = 0.5 * (h[i * k + j] + h[j * k + i]); h[i * k + j] = s; h[j * k + i] = s } }
        result.hessian = h
        return result
    }
}
