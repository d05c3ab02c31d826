import Foundation
import RewardModel
import Tensors

/// bt: r(x) = mlp2(x) → scalar for everybody; P(a≻b) = σ(r_a − r_b).
struct BTTrainable: TrainableModel {
    var parameters = ParameterSet()
    let mlp: TrainableMLP
    var stateEntry: Int? { nil }
    let featureDim: Int, hiddenDim: Int

    init(featureDim d: Int, hidden: Int, activation: HeadConfig.Activation, seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        var p = ParameterSet()
        mlp = TrainableMLP(prefix: "mlp", inputs: d, hidden: hidden, outputs: 1, activation: activation, residual: false,
                           parameters: &p, rng: &rng)
        parameters = p
        featureDim = d
        hiddenDim = hidden
    }

    func evaluate(_ batch: TrainingBatch, wantGradient: Bool) -> BatchResult {
        let n = batch.count
        let (r, cache) = mlp.forward(batch.items, parameters)
        var loss = 0.0, correct = 0.0
        var dR = Matrix(rows: 2 * n, cols: 1)
        for i in 0..<n {
            let logit = Double(r.values[i]) - Double(r.values[n + i])
            loss += TrainMath.softplus(-logit)
            correct += TrainMath.correct(logit)
            let d = Float(-TrainMath.sigmoid(-logit))
            dR.values[i] = d
            dR.values[n + i] = -d
        }
        guard wantGradient else { return BatchResult(loss: loss, correct: correct, gradient: []) }
        var gradient = [Float](repeating: 0, count: parameters.values.count)
        mlp.backward(dR, cache, parameters, gradient: &gradient)
        return BatchResult(loss: loss, correct: correct, gradient: gradient)
    }

    func export() -> (config: HeadConfig, tensors: [String: Tensor]) {
        var tensors: [String: Tensor] = [:]
        for (i, e) in parameters.entries.enumerated() { tensors[e.name] = parameters.tensor(i) }
        return (HeadConfig(kind: .bt, featureDim: featureDim, stateDim: 0, hiddenDim: hiddenDim, outputDim: 1,
                           activation: mlp.activation), tensors)
    }
}
