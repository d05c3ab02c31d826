import Foundation
import RewardModel
import Tensors

/// gpm without prompts: v(x) = W_v x ∈ R^{2K}, λ = softmax(θ_u),
/// s(a≻b) = Σ_i λ_i (v_a[2i] v_b[2i+1] − v_a[2i+1] v_b[2i]), P = σ(s/τ).
struct GPMTrainable: TrainableModel {
    var parameters = ParameterSet()
    let value: Int
    let theta: Int
    var stateEntry: Int? { theta }
    let featureDim: Int, stateDim: Int, tau: Double

    init(featureDim d: Int, stateDim k: Int, tau: Double, users: Int, seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        var p = ParameterSet()
        value = p.add("value_head.weight", shape: [2 * k, d], values: ParameterSet.gaussian(2 * k * d, sd: 1 / Double(d).squareRoot(), &rng), decays: true)
        theta = p.add("theta", shape: [users, k], values: ParameterSet.gaussian(users * k, sd: 0.01, &rng), decays: false)
        parameters = p
        featureDim = d
        stateDim = k
        self.tau = tau
    }

    func evaluate(_ batch: TrainingBatch, wantGradient: Bool) -> BatchResult {
        let p = parameters, n = batch.count, k = stateDim
        let w = p.matrix(value), thetas = p.matrix(theta)
        let v = BLAS.multiply(batch.items, w, transposeB: true)   // 2n × 2K
        var loss = 0.0, correct = 0.0
        var dV = Matrix(rows: 2 * n, cols: 2 * k)
        var dTheta = [Float](repeating: 0, count: thetas.values.count)
        for i in 0..<n {
            let user = batch.users[i]
            let lambda = TrainMath.softmax(thetas.row(user))
            var cross = [Double](repeating: 0, count: k)
            var s = 0.0
            for c in 0..<k {
                cross[c] = Double(v[i, 2 * c]) * Double(v[n + i, 2 * c + 1]) - Double(v[i, 2 * c + 1]) * Double(v[n + i, 2 * c])
                s += lambda[c] * cross[c]
            }
            let logit = s / tau
            loss += TrainMath.softplus(-logit)
            correct += TrainMath.correct(logit)
            guard wantGradient else { continue }
            let g = -TrainMath.sigmoid(-logit) / tau
            for c in 0..<k {
                let l = g * lambda[c]
                dV[i, 2 * c] += Float(l * Double(v[n + i, 2 * c + 1]))
                dV[i, 2 * c + 1] += Float(-l * Double(v[n + i, 2 * c]))
                dV[n + i, 2 * c + 1] += Float(l * Double(v[i, 2 * c]))
                dV[n + i, 2 * c] += Float(-l * Double(v[i, 2 * c + 1]))
            }
            for (c, d) in TrainMath.softmaxBackward(lambda, cross.map { $0 * g }).enumerated() { dTheta[user * k + c] += Float(d) }
        }
        guard wantGradient else { return BatchResult(loss: loss, correct: correct, gradient: []) }
        var gradient = [Float](repeating: 0, count: p.values.count)
        p.accumulate(BLAS.multiply(dV, transposeA: true, batch.items).values, into: &gradient, at: value)
        p.accumulate(dTheta, into: &gradient, at: theta)
        return BatchResult(loss: loss, correct: correct, gradient: gradient)
    }

    func export() -> (config: HeadConfig, tensors: [String: Tensor]) {
        (HeadConfig(kind: .gpm, featureDim: featureDim, stateDim: stateDim, tau: tau, normalizeValues: false),
         ["value_head.weight": parameters.tensor(value)])
    }
}
