import Foundation
import RewardModel
import Tensors

/// micro without prompts: r_k(x) = w_kᵀx, π = softmax(θ_u), P(a≻b) = Σ_k π_k σ(r_k(a) − r_k(b)).
struct MicroTrainable: TrainableModel {
    var parameters = ParameterSet()
    let score: Int
    let theta: Int
    var stateEntry: Int? { theta }
    let featureDim: Int, stateDim: Int

    init(featureDim d: Int, stateDim k: Int, users: Int, seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        var p = ParameterSet()
        score = p.add("score.weight", shape: [k, d], values: ParameterSet.gaussian(k * d, sd: 1 / Double(d).squareRoot(), &rng), decays: true)
        theta = p.add("theta", shape: [users, k], values: ParameterSet.gaussian(users * k, sd: 0.01, &rng), decays: false)
        parameters = p
        featureDim = d
        stateDim = k
    }

    func evaluate(_ batch: TrainingBatch, wantGradient: Bool) -> BatchResult {
        let p = parameters, n = batch.count, k = stateDim
        let thetas = p.matrix(theta)
        let r = BLAS.multiply(batch.items, p.matrix(score), transposeB: true)   // 2n × K
        var loss = 0.0, correct = 0.0
        var dR = Matrix(rows: 2 * n, cols: k)
        var dTheta = [Float](repeating: 0, count: thetas.values.count)
        for i in 0..<n {
            let user = batch.users[i]
            let pi = TrainMath.softmax(thetas.row(user))
            let sig = (0..<k).map { TrainMath.sigmoid(Double(r[i, $0]) - Double(r[n + i, $0])) }
            let prob = max(zip(pi, sig).reduce(0) { $0 + $1.0 * $1.1 }, 1e-300)
            loss -= log(prob)
            correct += prob > 0.5 ? 1 : (prob == 0.5 ? 0.5 : 0)
            guard wantGradient else { continue }
            for c in 0..<k {
                let d = Float(-pi[c] * sig[c] * (1 - sig[c]) / prob)
                dR[i, c] += d
                dR[n + i, c] -= d
            }
            for (c, d) in TrainMath.softmaxBackward(pi, sig.map { -$0 / prob }).enumerated() { dTheta[user * k + c] += Float(d) }
        }
        guard wantGradient else { return BatchResult(loss: loss, correct: correct, gradient: []) }
        var gradient = [Float](repeating: 0, count: p.values.count)
        p.accumulate(BLAS.multiply(dR, transposeA: true, batch.items).values, into: &gradient, at: score)
        p.accumulate(dTheta, into: &gradient, at: theta)
        return BatchResult(loss: loss, correct: correct, gradient: gradient)
    }

    func export() -> (config: HeadConfig, tensors: [String: Tensor]) {
        (HeadConfig(kind: .micro, featureDim: featureDim, stateDim: stateDim), ["score.weight": parameters.tensor(score)])
    }
}
