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
        var h: Matrix
        if x.rows == 1 || x.rows >= MLP.featureMajorRowLimit {
            // One row: sgemv (reads each weight once, no packing). Many rows: x · Wᵀ, as fast as
            // W · xᵀ for a 1024-wide head and ≈ 15 % faster for a 64-wide one (no transpose at the end).
            h = x
            for (index, layer) in layers.enumerated() {
                h = layer(h)
                if index < layers.count - 1 { MLP.activate(&h, activation) }
            }
        } else {
            // Feature-major through the layers (the operand order OpenBLAS is fastest in for small
            // batches, see `BLAS.linearFeatureMajor`), then one transpose back to one item per row.
            var hT = x
            for (index, layer) in layers.enumerated() {
                hT = BLAS.linearFeatureMajor(hT, itemsAreRows: index == 0, weight: layer.weight, bias: layer.bias)
                if index < layers.count - 1 { MLP.activate(&hT, activation) }
            }
            h = hT.transposed
        }
        if residual {
            for i in h.values.indices { h.values[i] += x.values[i] }
        }
        return h
    }

    /// Batches from 2 rows up to this run feature-major.
    static let featureMajorRowLimit = 512

    static func activate(_ m: inout Matrix, _ activation: HeadConfig.Activation) {
        switch activation {
        case .relu:
            for i in m.values.indices where !(m.values[i] > 0) { m.values[i] = 0 }
        case .gelu:
            m.values.withUnsafeMutableBufferPointer { p in
                for i in p.indices { p[i] = gelu(p[i]) }
            }
        }
    }

    /// Exact (erf) GELU, PyTorch's default. erf is Abramowitz–Stegun 7.1.26 (|error| ≤ 1.5e-7) with
    /// a branch-free exp, so the loop vectorises: libm's erff made GELU cost as much as the sgemms
    /// of a small head.
    @inline(__always)
    static func gelu(_ x: Float) -> Float {
        let z = x * 0.70710678118654752
        let a = abs(z)
        let t = 1 / (1 + 0.3275911 * a)
        let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
        let e = 1 - poly * negativeExp(a * a)
        return 0.5 * x * (1 + (z < 0 ? -e : e))
    }

    /// e^(−y) for y ≥ 0: 2^n · 2^f with n = round(−y·log₂e), |f| ≤ ½, 2^f by a degree-6 Taylor
    /// series (relative error ≈ 1e-7). Flushes to 0 below e^−87.
    @inline(__always)
    static func negativeExp(_ y: Float) -> Float {
        let t = max(-y * 1.44269504, -126)
        // Round to nearest by the 1.5·2²³ trick; the integer n then sits in the low mantissa bits,
        // so 2ⁿ is built with wrapping integer ops only (no trapping conversion: the loop vectorises).
        let shifted = t + 12_582_912
        let n = shifted - 12_582_912
        let f = (t - n) * 0.693147181
        let p = 1 + f * (1 + f * (0.5 + f * (0.166666667 + f * (0.0416666667 + f * (0.00833333333 + f * 0.00138888889)))))
        let exponent = (shifted.bitPattern &- 0x4B40_0000) &+ 127
        let scale = Float(bitPattern: exponent &<< 23)
        return t <= -126 ? 0 : p * scale
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
