import Foundation
import RewardModel
import Tensors

/// PAL's mlp2 (Linear → act → Linear → act → Linear [+ input]) with its backward pass in sgemm.
/// Tensor names follow `prefix.mlp.layers.{0,3,6}.{weight,bias}`.
struct TrainableMLP: Sendable {
    /// Entry indices: weight and bias of layers 0, 3, 6.
    let weights: [Int]
    let biases: [Int]
    let activation: HeadConfig.Activation
    let residual: Bool
    let prefix: String

    struct Cache {
        var input: Matrix
        /// Pre-activations and activations of the two hidden layers.
        var pre: [Matrix] = []
        var post: [Matrix] = []
    }

    /// PyTorch-like init (N(0, 1/fan_in)); the last layer of a residual MLP starts at a tenth so the
    /// projector starts close to the identity.
    init(prefix: String, inputs: Int, hidden: Int, outputs: Int, activation: HeadConfig.Activation, residual: Bool,
         parameters p: inout ParameterSet, rng: inout SeededGenerator) {
        self.prefix = prefix
        self.activation = activation
        self.residual = residual
        var w: [Int] = [], b: [Int] = []
        for (index, out, inp) in [(0, hidden, inputs), (3, hidden, hidden), (6, outputs, hidden)] {
            let sd = (residual && index == 6 ? 0.1 : 1) / Double(inp).squareRoot()
            w.append(p.add("\(prefix).mlp.layers.\(index).weight", shape: [out, inp],
                           values: ParameterSet.gaussian(out * inp, sd: sd, &rng), decays: true))
            b.append(p.add("\(prefix).mlp.layers.\(index).bias", shape: [out], values: [Float](repeating: 0, count: out), decays: false))
        }
        weights = w
        biases = b
    }

    func forward(_ x: Matrix, _ p: ParameterSet) -> (Matrix, Cache) {
        var cache = Cache(input: x)
        var h = x
        for layer in 0..<3 {
            h = BLAS.linear(h, weight: p.matrix(weights[layer]), bias: p.vector(biases[layer]))
            if layer < 2 {
                cache.pre.append(h)
                Self.activate(&h, activation)
                cache.post.append(h)
            }
        }
        if residual {
            for i in h.values.indices { h.values[i] += x.values[i] }
        }
        return (h, cache)
    }

    /// Accumulates ∂L/∂parameters given ∂L/∂output; returns ∂L/∂input.
    @discardableResult
    func backward(_ dOut: Matrix, _ cache: Cache, _ p: ParameterSet, gradient: inout [Float]) -> Matrix {
        var delta = dOut
        for layer in stride(from: 2, through: 0, by: -1) {
            let input = layer == 0 ? cache.input : cache.post[layer - 1]
            let w = p.matrix(weights[layer])
            p.accumulate(BLAS.multiply(delta, transposeA: true, input).values, into: &gradient, at: weights[layer])
            var biasGradient = [Float](repeating: 0, count: delta.cols)
            for r in 0..<delta.rows { for c in 0..<delta.cols { biasGradient[c] += delta[r, c] } }
            p.accumulate(biasGradient, into: &gradient, at: biases[layer])
            var dInput = BLAS.multiply(delta, w)
            if layer > 0 {
                let pre = cache.pre[layer - 1]
                for i in dInput.values.indices { dInput.values[i] *= Self.derivative(pre.values[i], activation) }
            }
            delta = dInput
        }
        if residual {
            for i in delta.values.indices { delta.values[i] += dOut.values[i] }
        }
        return delta
    }

    static func activate(_ m: inout Matrix, _ activation: HeadConfig.Activation) {
        for i in m.values.indices {
            let x = m.values[i]
            switch activation {
            case .relu: m.values[i] = x > 0 ? x : 0
            case .gelu: m.values[i] = 0.5 * x * (1 + erff(x * 0.70710678))
            }
        }
    }

    static func derivative(_ x: Float, _ activation: HeadConfig.Activation) -> Float {
        switch activation {
        case .relu: return x > 0 ? 1 : 0
        case .gelu: return 0.5 * (1 + erff(x * 0.70710678)) + x * 0.39894228 * expf(-0.5 * x * x)
        }
    }
}
