import RewardModel
import Tensors

/// All trainable tensors of a model in one flat Float array, so the optimiser is one loop and a
/// snapshot (early stopping) is one array copy.
struct ParameterSet: Sendable {
    struct Entry: Sendable {
        let name: String
        let shape: [Int]
        let offset: Int
        let count: Int
        /// AdamW weight decay applies (weight matrices only; not biases, states, prototypes, scales).
        let decays: Bool
    }

    private(set) var entries: [Entry] = []
    var values: [Float] = []

    /// Appends a tensor; returns its entry index.
    mutating func add(_ name: String, shape: [Int], values initial: [Float], decays: Bool) -> Int {
        precondition(initial.count == shape.reduce(1, *), "parameter \(name) has the wrong size")
        entries.append(Entry(name: name, shape: shape, offset: values.count, count: initial.count, decays: decays))
        values += initial
        return entries.count - 1
    }

    /// Gaussian values with standard deviation `sd`.
    static func gaussian(_ count: Int, sd: Double, _ rng: inout SeededGenerator) -> [Float] {
        (0..<count).map { _ in Float(rng.nextGaussian() * sd) }
    }

    func matrix(_ index: Int) -> Matrix {
        let e = entries[index]
        return Matrix(rows: e.shape[0], cols: e.count / e.shape[0], values: Array(values[e.offset ..< e.offset + e.count]))
    }

    func vector(_ index: Int) -> [Float] {
        let e = entries[index]
        return Array(values[e.offset ..< e.offset + e.count])
    }

    func tensor(_ index: Int) -> Tensor {
        Tensor(shape: entries[index].shape, values: vector(index))
    }

    /// Adds `m` into the gradient slot of entry `index`.
    func accumulate(_ m: [Float], into gradient: inout [Float], at index: Int, scale: Float = 1) {
        let e = entries[index]
        precondition(m.count == e.count, "gradient of \(e.name) has the wrong size")
        gradient.withUnsafeMutableBufferPointer { g in
            for i in 0..<e.count { g[e.offset + i] += scale * m[i] }
        }
    }
}

/// Adam with decoupled weight decay (AdamW, Loshchilov & Hutter).
struct AdamW: Sendable {
    var learningRate: Double
    var weightDecay: Double
    var beta1 = 0.9
    var beta2 = 0.999
    var epsilon = 1e-8
    private var m: [Float] = []
    private var v: [Float] = []
    private var step = 0

    init(learningRate: Double, weightDecay: Double) {
        self.learningRate = learningRate
        self.weightDecay = weightDecay
    }

    mutating func update(_ p: inout ParameterSet, gradient: [Float]) {
        if m.isEmpty {
            m = [Float](repeating: 0, count: p.values.count)
            v = m
        }
        step += 1
        let c1 = Float(1 - pow(beta1, Double(step))), c2 = Float(1 - pow(beta2, Double(step)))
        let lr = Float(learningRate), b1 = Float(beta1), b2 = Float(beta2), eps = Float(epsilon)
        for e in p.entries {
            let decay = e.decays ? Float(learningRate * weightDecay) : 0
            for i in e.offset ..< e.offset + e.count {
                let g = gradient[i]
                p.values[i] -= decay * p.values[i]
                m[i] = b1 * m[i] + (1 - b1) * g
                v[i] = b2 * v[i] + (1 - b2) * g * g
                p.values[i] -= lr * (m[i] / c1) / ((v[i] / c2).squareRoot() + eps)
            }
        }
    }
}

import Foundation
