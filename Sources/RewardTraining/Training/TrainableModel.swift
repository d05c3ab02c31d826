import Foundation
import RewardModel
import Tensors

/// A minibatch of comparisons: rows 0..<n of `items` are the chosen items, rows n..<2n the rejected.
struct TrainingBatch {
    var items: Matrix
    /// Row of the θ table per pair (the trainer's seen-user index).
    var users: [Int]
    var count: Int { users.count }
}

struct BatchResult {
    /// Σ over the batch of −log P(chosen ≻ rejected).
    var loss: Double
    /// Pairs ordered correctly (ties count ½).
    var correct: Double
    /// Σ over the batch of ∂loss/∂parameters (empty when not asked for).
    var gradient: [Float]
}

/// A head kind whose shared parameters and seen users' states the trainer can fit.
protocol TrainableModel: Sendable {
    var parameters: ParameterSet { get set }
    /// Entry of the users' θ table [users, K]; nil for kinds without a user state.
    var stateEntry: Int? { get }
    func evaluate(_ batch: TrainingBatch, wantGradient: Bool) -> BatchResult
    /// The head's config and its shared tensors (named as RewardModel loads them).
    func export() -> (config: HeadConfig, tensors: [String: Tensor])
}

enum TrainMath {
    static let normEpsilon = 1e-6

    static func softplus(_ x: Double) -> Double { x > 0 ? x + log1p(exp(-x)) : log1p(exp(x)) }
    static func sigmoid(_ x: Double) -> Double { x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x)) }

    static func softmax(_ xs: ArraySlice<Float>) -> [Double] {
        let m = Double(xs.max() ?? 0)
        let e = xs.map { exp(Double($0) - m) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }

    /// ∂L/∂θ = J_softmaxᵀ ∂L/∂w = w ⊙ (∂L/∂w − ⟨w, ∂L/∂w⟩).
    static func softmaxBackward(_ w: [Double], _ dw: [Double]) -> [Double] {
        let inner = zip(w, dw).reduce(0) { $0 + $1.0 * $1.1 }
        return zip(w, dw).map { $0 * ($1 - inner) }
    }

    static func correct(_ logit: Double) -> Double { logit > 0 ? 1 : (logit == 0 ? 0.5 : 0) }
}
