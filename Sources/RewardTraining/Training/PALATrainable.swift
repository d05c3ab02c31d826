import Foundation
import RewardModel
import Tensors

/// pal-a: r_u(x) = −‖f(x) − a_u‖_ε with a_u = f(wᵀP) (P is K×d, `throughProjector`) or a_u = wᵀP
/// (P is K×m), w = softmax(θ_u). Items and ideal points go through f in one batch, so one backward
/// pass serves both.
struct PALATrainable: TrainableModel {
    var parameters = ParameterSet()
    let projector: TrainableMLP
    let prototypes: Int
    let theta: Int
    var stateEntry: Int? { theta }
    let featureDim: Int, stateDim: Int, hiddenDim: Int, outputDim: Int
    let throughProjector: Bool

    init(featureDim d: Int, stateDim k: Int, hidden: Int, outputDim m: Int, activation: HeadConfig.Activation,
         throughProjector: Bool, users: Int, seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        var p = ParameterSet()
        projector = TrainableMLP(prefix: "projector", inputs: d, hidden: hidden, outputs: m, activation: activation,
                                 residual: m == d, parameters: &p, rng: &rng)
        let width = throughProjector ? d : m
        prototypes = p.add("user_learner.P", shape: [k, width], values: ParameterSet.gaussian(k * width, sd: 1, &rng), decays: false)
        theta = p.add("theta", shape: [users, k], values: ParameterSet.gaussian(users * k, sd: 0.01, &rng), decays: false)
        parameters = p
        featureDim = d
        stateDim = k
        hiddenDim = hidden
        outputDim = m
        self.throughProjector = throughProjector
    }

    func evaluate(_ batch: TrainingBatch, wantGradient: Bool) -> BatchResult {
        let p = parameters, n = batch.count, k = stateDim, m = outputDim
        let protos = p.matrix(prototypes), thetas = p.matrix(theta)
        let users = Set(batch.users).sorted()
        var slot: [Int: Int] = [:]
        var weights: [[Double]] = [], z: [Float] = []
        for (i, u) in users.enumerated() {
            slot[u] = i
            let w = TrainMath.softmax(thetas.row(u))
            weights.append(w)
            for j in 0..<protos.cols { z.append(Float((0..<k).reduce(0.0) { $0 + w[$1] * Double(protos[$1, j]) })) }
        }
        let zMatrix = Matrix(rows: users.count, cols: protos.cols, values: z)
        // Rows 0..<2n: items; rows 2n..<2n+U: the users' points when they go through f.
        let input = throughProjector ? batch.items.stacking(zMatrix) : batch.items
        let (f, cache) = projector.forward(input, p)
        func ideal(_ s: Int, _ j: Int) -> Double { Double(throughProjector ? f[2 * n + s, j] : zMatrix[s, j]) }
        var loss = 0.0, correct = 0.0
        var dF = Matrix(rows: f.rows, cols: m)
        var dIdeal = Matrix(rows: users.count, cols: m)
        for i in 0..<n {
            let s = slot[batch.users[i]]!
            var qa = 0.0, qb = 0.0
            for j in 0..<m {
                let ea = Double(f[i, j]) - ideal(s, j), eb = Double(f[n + i, j]) - ideal(s, j)
                qa += ea * ea
                qb += eb * eb
            }
            let eps2 = TrainMath.normEpsilon * TrainMath.normEpsilon
            let da = (qa + eps2).squareRoot(), db = (qb + eps2).squareRoot()
            let logit = db - da
            loss += TrainMath.softplus(-logit)
            correct += TrainMath.correct(logit)
            guard wantGradient else { continue }
            let g = -TrainMath.sigmoid(-logit)
            for j in 0..<m {
                let ea = Double(f[i, j]) - ideal(s, j), eb = Double(f[n + i, j]) - ideal(s, j)
                dF[i, j] += Float(-g * ea / da)
                dF[n + i, j] += Float(g * eb / db)
                dIdeal[s, j] += Float(g * ea / da - g * eb / db)
            }
        }
        guard wantGradient else { return BatchResult(loss: loss, correct: correct, gradient: []) }
        var gradient = [Float](repeating: 0, count: p.values.count)
        var dZ = dIdeal
        if throughProjector {
            for s in 0..<users.count { for j in 0..<m { dF[2 * n + s, j] = dIdeal[s, j] } }
            let dInput = projector.backward(dF, cache, p, gradient: &gradient)
            dZ = dInput.slicing(rows: (2 * n)..<(2 * n + users.count))
        } else {
            projector.backward(dF, cache, p, gradient: &gradient)
        }
        var dP = [Float](repeating: 0, count: protos.values.count), dTheta = [Float](repeating: 0, count: thetas.values.count)
        for (s, u) in users.enumerated() {
            var dw = [Double](repeating: 0, count: k)
            for c in 0..<k {
                for j in 0..<protos.cols {
                    dP[c * protos.cols + j] += Float(weights[s][c] * Double(dZ[s, j]))
                    dw[c] += Double(protos[c, j]) * Double(dZ[s, j])
                }
            }
            for (c, v) in TrainMath.softmaxBackward(weights[s], dw).enumerated() { dTheta[u * k + c] = Float(v) }
        }
        p.accumulate(dP, into: &gradient, at: prototypes)
        p.accumulate(dTheta, into: &gradient, at: theta)
        return BatchResult(loss: loss, correct: correct, gradient: gradient)
    }

    func export() -> (config: HeadConfig, tensors: [String: Tensor]) {
        var tensors: [String: Tensor] = [:]
        for (i, e) in parameters.entries.enumerated() where e.name != "theta" { tensors[e.name] = parameters.tensor(i) }
        let config = HeadConfig(kind: .palA, featureDim: featureDim, stateDim: stateDim, hiddenDim: hiddenDim, outputDim: outputDim,
                                activation: projector.activation, residual: projector.residual,
                                idealPointThroughProjector: throughProjector)
        return (config, tensors)
    }
}
