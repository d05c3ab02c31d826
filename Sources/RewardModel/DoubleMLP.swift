import Foundation
import Tensors

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

    /// f on `columns` inputs at once: `x` is in × columns (row-major, one input per column). Returns
    /// the outputs (out × columns) and the hidden pre-activations for `backward`.
    func forward(_ x: [Double], columns: Int) -> (output: [Double], preActivations: [[Double]]) {
        var h = x
        var saved: [[Double]] = []
        for (index, layer) in layers.enumerated() {
            var y = BLAS.multiplyDouble(layer.weight, m: layer.outputs, k: layer.inputs, h, n: columns)
            for o in 0..<layer.outputs {
                let b = layer.bias[o]
                for c in 0..<columns { y[o * columns + c] += b }
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

    /// (∂f/∂x)ᵀ · upstream for every column (upstream is out × columns).
    func backward(_ upstream: [Double], columns: Int, preActivations: [[Double]]) -> [Double] {
        var g = upstream
        for index in stride(from: layers.count - 1, through: 0, by: -1) {
            let layer = layers[index]
            var down = BLAS.multiplyDouble(layer.weight, transposeA: true, m: layer.inputs, k: layer.outputs, g, n: columns)
            if index > 0 {
                let pre = preActivations[index - 1]
                for i in down.indices { down[i] *= derivative(pre[i]) }
            }
            g = down
        }
        if residual { for i in g.indices { g[i] += upstream[i] } }
        return g
    }

    /// One input vector.
    func forward(_ x: [Double]) -> (output: [Double], preActivations: [[Double]]) {
        forward(x, columns: 1)
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

    /// Value and gradient at every θ of `thetas` with one batched forward and backward pass of f
    /// (the weights are read once for all of them).
    func valuesAndGradients(_ thetas: [[Double]]) -> [Evaluation] {
        let columns = thetas.count
        let d = prototypes[0].count
        let weights = thetas.map { Numerics.softmax($0) }
        var z = [Double](repeating: 0, count: d * columns)
        for (c, w) in weights.enumerated() {
            for k in w.indices { for j in 0..<d { z[j * columns + c] += w[k] * prototypes[k][j] } }
        }
        let (a, pre) = projector.forward(z, columns: columns)
        let m = a.count / columns
        var upstream = [Double](repeating: 0, count: m * columns)
        var values = [Double](repeating: 0, count: columns), correct = [Double](repeating: 0, count: columns)
        let eps2 = Numerics.normEpsilon * Numerics.normEpsilon
        for c in 0..<columns {
            for pair in pairs {
                var qa = 0.0, qb = 0.0
                for j in 0..<m {
                    let aj = a[j * columns + c]
                    qa += (pair.fa[j] - aj) * (pair.fa[j] - aj)
                    qb += (pair.fb[j] - aj) * (pair.fb[j] - aj)
                }
                let da = (qa + eps2).squareRoot(), db = (qb + eps2).squareRoot()
                let h = db - da
                values[c] += pair.weight * loss.value(h)
                correct[c] += h > 0 ? 1 : (h == 0 ? 0.5 : 0)
                let d1 = pair.weight * loss.derivative(h)
                for j in 0..<m {
                    let aj = a[j * columns + c]
                    upstream[j * columns + c] += d1 * ((aj - pair.fb[j]) / db - (aj - pair.fa[j]) / da)
                }
            }
        }
        let dz = projector.backward(upstream, columns: columns, preActivations: pre)
        return (0..<columns).map { c in
            let w = weights[c]
            let gw = prototypes.map { row in (0..<d).reduce(0.0) { $0 + row[$1] * dz[$1 * columns + c] } }
            let mean = Numerics.dot(w, gw)
            var gradient = w.indices.map { w[$0] * (gw[$0] - mean) }
            var value = values[c]
            var none: [Double] = []
            PairwiseObjective.addPrior(prior, anchor: anchor, theta: thetas[c], value: &value, gradient: &gradient, hessian: &none)
            return Evaluation(value: value, gradient: gradient, hessian: [], accuracy: pairs.isEmpty ? 0 : correct[c] / Double(pairs.count))
        }
    }

    func evaluate(_ theta: [Double], hessian: Bool) -> Evaluation {
        guard hessian else { return valuesAndGradients([theta])[0] }
        // Central differences of the exact gradient, all 2K points in the same batched pass.
        let k = theta.count
        var points = [theta]
        var steps: [Double] = []
        for j in 0..<k {
            let step = 1e-5 * (1 + abs(theta[j]))
            steps.append(step)
            var plus = theta, minus = theta
            plus[j] += step
            minus[j] -= step
            points += [plus, minus]
        }
        let all = valuesAndGradients(points)
        var result = all[0]
        var h = [Double](repeating: 0, count: k * k)
        for j in 0..<k {
            let gp = all[1 + 2 * j].gradient, gm = all[2 + 2 * j].gradient
            for i in 0..<k { h[i * k + j] = (gp[i] - gm[i]) / (2 * steps[j]) }
        }
        for i in 0..<k { for j in 0..<i { let s = 0.5 * (h[i * k + j] + h[j * k + i]); h[i * k + j] = s; h[j * k + i] = s } }
        result.hessian = h
        return result
    }
}
