import Foundation
import RewardModel
import Tensors

/// The dataset's true shared head as a RewardHead, so the ceiling runs the service's own adapt.
enum GroundTruthHead {
    /// pal-b with f = identity (a residual mlp2 whose weights are all zero), g_k = the prototypes,
    /// logit_scale = log(scale), θ̄ = mean of the seen users' true θ.
    static func make(_ data: PreferenceDataset) throws -> RewardHead? {
        guard let truth = data.truth, truth.kind == "pal-b", !truth.prototypes.isEmpty else { return nil }
        let d = data.featureDim, k = truth.prototypes.count
        let config = HeadConfig(kind: .palB, featureDim: d, stateDim: k, hiddenDim: 1, outputDim: d, activation: .relu,
                                residual: true, version: "ground-truth")
        var tensors: [String: Tensor] = [
            "projector_f.mlp.layers.0.weight": Tensor(shape: [1, d], values: [Float](repeating: 0, count: d)),
            "projector_f.mlp.layers.3.weight": Tensor(shape: [1, 1], values: [0]),
            "projector_f.mlp.layers.6.weight": Tensor(shape: [d, 1], values: [Float](repeating: 0, count: d)),
            "user_learner.prototypes": Tensor(shape: [k, d], values: truth.prototypes.flatMap { $0.map { Float($0) } }),
            "logit_scale": Tensor(vector: [Float(log(truth.scale))]),
        ]
        let seen = data.users.filter { $0.seen }.compactMap(\.theta).filter { $0.count == k }
        if !seen.isEmpty {
            tensors["population_state"] = Tensor(vector: (0..<k).map { c in Float(seen.reduce(0) { $0 + $1[c] } / Double(seen.count)) })
        }
        return try RewardHead(config: config, tensors: SafeTensors(tensors: tensors))
    }
}
