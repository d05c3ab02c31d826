import Foundation
import RewardModel
import Tensors

/// pal-b without prompts: r_u(x) = s · cos(f(x), Σ_k softmax(θ_u)_k g_k), s = min(e^{logit_scale}, 100).
struct PALBTrainable: TrainableModel {
    var parameters = ParameterSet()
    let projector: TrainableMLP
    let prototypes: Int
    let logitScale: Int
    let theta: Int
    var stateEntry: Int? { theta }
    let featureDim: Int, stateDim: Int, hiddenDim: Int, outputDim: Int

    init(featureDim d: Int, stateDim k: Int, hidden: Int, outputDim m: Int, activation: HeadConfig.Activation,
         users: Int, seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        var p = ParameterSet()
        projector = TrainableMLP(prefix: "projector_f", inputs: d, hidden: hidden, outputs: m, activation: activation,
                                 residual: m == d, parameters: &p, rng: &rng)
        prototypes = p.add("user_learner.prototypes", shape: [k, m], values: ParameterSet.gaussian(k * m, sd: 1 / Double(m).squareRoot(), &rng), decays: false)
        logitScale = p.add("logit_scale", shape: [1], values: [Float(log(1 / 0.07))], decays: false)
        theta = p.add("theta", shape: [users, k], values: ParameterSet.gaussian(users * k, sd: 0.01, &rng), decays: false)
        parameters = p
        featureDim = d
        stateDim = k
        hiddenDim = hidden
        outputDim = m
    }

    func evaluate(_ batch: TrainingBatch, wantGradient: Bool) -> BatchResult {
        let p = parameters, n = batch.count, k = stateDim, m = outputDim
        let (f, cache) = projector.forward(batch.items, p)
        let norms = (0..<f.rows).map { r in
            (f.row(r).reduce(0.0) { $0 + Double($1) * Double($1) } + TrainMath.normEpsilon * TrainMath.normEpsilon).squareRoot()
        }
        let g = p.matrix(prototypes), thetas = p.matrix(theta)
        let rawScale = exp(Double(p.values[p.entries[logitScale].offset]))
        let s = min(rawScale, 100)
        // Per distinct user: w, u = Σ w_k g_k, ‖u‖, û.
        var cacheU: [Int: (w: [Double], u: [Double], norm: Double)] = [:]
        for user in Set(batch.users).sorted() {
            let w = TrainMath.softmax(thetas.row(user))
            var u = [Double](repeating: 0, count: m)
            for i in 0..<k { for j in 0..<m { u[j] += w[i] * Double(g[i, j]) } }
            let norm = (u.reduce(0) { $0 + $1 * $1 } + TrainMath.normEpsilon * TrainMath.normEpsilon).squareRoot()
            cacheU[user] = (w, u, norm)
        }
        var loss = 0.0, correct = 0.0, dScale = 0.0
        var dFhat = Matrix(rows: f.rows, cols: m)
        var dUhat: [Int: [Double]] = [:]
        for i in 0..<n {
            let user = batch.users[i], (_, u, nu) = cacheU[user]!
            var da = 0.0, db = 0.0
            for j in 0..<m { da += Double(f[i, j]) * u[j]; db += Double(f[n + i, j]) * u[j] }
            let ca = da / (norms[i] * nu), cb = db / (norms[n + i] * nu)
            let logit = s * (ca - cb)
            loss += TrainMath.softplus(-logit)
            correct += TrainMath.correct(logit)
            guard wantGradient else { continue }
            let dLogit = -TrainMath.sigmoid(-logit)
            dScale += dLogit * (ca - cb)
            var du = dUhat[user] ?? [Double](repeating: 0, count: m)
            for j in 0..<m {
                let uh = u[j] / nu
                dFhat[i, j] = Float(s * dLogit * uh)
                dFhat[n + i, j] = Float(-s * dLogit * uh)
                du[j] += s * dLogit * (Double(f[i, j]) / norms[i] - Double(f[n + i, j]) / norms[n + i])
            }
            dUhat[user] = du
        }
        guard wantGradient else { return BatchResult(loss: loss, correct: correct, gradient: []) }
        var gradient = [Float](repeating: 0, count: p.values.count)
        // f̂ = F/n_ε:  ∂L/∂F = ∂L/∂f̂ / n − F ⟨F, ∂L/∂f̂⟩ / n³.
        var dF = Matrix(rows: f.rows, cols: m)
        for r in 0..<f.rows {
            var inner = 0.0
            for j in 0..<m { inner += Double(f[r, j]) * Double(dFhat[r, j]) }
            let nr = norms[r]
            for j in 0..<m { dF[r, j] = Float(Double(dFhat[r, j]) / nr - Double(f[r, j]) * inner / (nr * nr * nr)) }
        }
        projector.backward(dF, cache, p, gradient: &gradient)
        var dG = [Float](repeating: 0, count: k * m), dTheta = [Float](repeating: 0, count: thetas.values.count)
        for user in dUhat.keys.sorted() {   // sorted: a fixed summation order keeps runs bit-identical
            let duh = dUhat[user]!
            let (w, u, nu) = cacheU[user]!
            let inner = zip(u, duh).reduce(0) { $0 + $1.0 * $1.1 }
            let du = (0..<m).map { duh[$0] / nu - u[$0] * inner / (nu * nu * nu) }
            var dw = [Double](repeating: 0, count: k)
            for i in 0..<k {
                for j in 0..<m {
                    dG[i * m + j] += Float(w[i] * du[j])
                    dw[i] += Double(g[i, j]) * du[j]
                }
            }
            for (i, v) in TrainMath.softmaxBackward(w, dw).enumerated() { dTheta[user * k + i] = Float(v) }
        }
        p.accumulate(dG, into: &gradient, at: prototypes)
        p.accumulate(dTheta, into: &gradient, at: theta)
        p.accumulate([Float(rawScale < 100 ? dScale * s : 0)], into: &gradient, at: logitScale)
        return BatchResult(loss: loss, correct: correct, gradient: gradient)
    }

    func export() -> (config: HeadConfig, tensors: [String: Tensor]) {
        var tensors: [String: Tensor] = [:]
        for (i, e) in parameters.entries.enumerated() where e.name != "theta" { tensors[e.name] = parameters.tensor(i) }
        let config = HeadConfig(kind: .palB, featureDim: featureDim, stateDim: stateDim, hiddenDim: hiddenDim, outputDim: outputDim,
                                activation: projector.activation, residual: projector.residual)
        return (config, tensors)
    }
}
