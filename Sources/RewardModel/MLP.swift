import Foundation
import Tensors

/// One PyTorch Linear layer, weight in `[out, in]` layout.
struct Dense: Sendable {
    let weight: Matrix
    let bias: [Float]?

    var inputs: Int { weight.cols }
    var outputs: Int { weight.rows }

    func callAsFunction(_ x: Matrix) -> Matrix {
        BLAS.linear(x, weight: weight, bias: bias)
    }
}

/// PAL's "mlp2": Linear → act → Linear → act → Linear (tensor indices 0, 3, 6; dropout between is
/// inactive at inference), optionally with the input added to the output.
struct MLP: Sendable {
    let layers: [Dense]
    let activation: HeadConfig.Activation
    let residual: Bool

    var inputs: Int { layers[0].inputs }
    var outputs: Int { layers[layers.count - 1].outputs }

    func callAsFunction(_ x: Matrix) -> Matrix {
        var h = x
        for (index, layer) in layers.enumerated() {
            h = layer(h)
            if index < layers.count - 1 { MLP.activate(&h, activation) }
        }
        if residual {
            for i in h.values.indices { h.values[i] += x.values[i] }
        }
        return h
    }

    static func activate(_ m: inout Matrix, _ activation: HeadConfig.Activation) {
        switch activation {
        case .relu:
            for i in m.values.indices where !(m.values[i] > 0) { m.values[i] = 0 }
        case .gelu:
            for i in m.values.indices {
                let x = m.values[i]
                m.values[i] = 0.5 * x * (1 + erf(x * 0.70710678118654752))
            }
        }
    }

    /// Loads layers `prefix.mlp.layers.{0,3,6}` with the given widths.
    static func load(_ file: SafeTensors, prefix: String, inputs: Int, hidden: Int, outputs: Int,
                     activation: HeadConfig.Activation, residual: Bool) throws -> MLP {
        let shapes = [(0, hidden, inputs), (3, hidden, hidden), (6, outputs, hidden)]
        let layers = try shapes.map { index, out, inp in
            let name = "\(prefix).mlp.layers.\(index)"
            let weight = try file.matrix("\(name).weight", rows: out, cols: inp)
            let bias = file.tensors["\(name).bias"] == nil ? nil : try file.vector("\(name).bias", count: out)
            return Dense(weight: weight, bias: bias)
        }
        return MLP(layers: layers, activation: activation, residual: residual)
    }

    func store(into file: inout SafeTensors, prefix: String) {
        for (index, layer) in zip([0, 3, 6], layers) {
            file.tensors["\(prefix).mlp.layers.\(index).weight"] = Tensor(layer.weight)
            if let bias = layer.bias { file.tensors["\(prefix).mlp.layers.\(index).bias"] = Tensor(vector: bias) }
        }
    }

    var parameterCount: Int {
        layers.reduce(0) { $0 + $1.weight.values.count + ($1.bias?.count ?? 0) }
    }
}
