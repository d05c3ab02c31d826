import Tensors

/// gpm: v(x) = W_v x ∈ R^{2K} (optionally L2-normalised); λ = softmax(θ [+ prompt_head(p)]);
/// s(a≻b) = Σ_i λ_i (v_a[2i] v_b[2i+1] − v_a[2i+1] v_b[2i]); P = σ(s/τ). No scalar score.
struct GPMMath: HeadMath {
    let config: HeadConfig
    let value: Dense
    let promptHead: Dense?

    static func specs(_ c: HeadConfig) -> [TensorSpec] {
        var specs = [TensorSpec(name: "value_head.weight", shape: [2 * c.stateDim, c.featureDim], optional: false, fanIn: c.featureDim),
                     TensorSpec(name: "value_head.bias", shape: [2 * c.stateDim], optional: true, fanIn: c.featureDim)]
        if let p = c.promptDim {
            specs.append(TensorSpec(name: "prompt_head.weight", shape: [c.stateDim, p], optional: false, fanIn: p))
            specs.append(TensorSpec(name: "prompt_head.bias", shape: [c.stateDim], optional: true, fanIn: p))
        }
        return specs
    }

    init(config: HeadConfig, file: SafeTensors) throws {
        self.config = config
        let k = config.stateDim
        let vBias = file.tensors["value_head.bias"] == nil ? nil : try file.vector("value_head.bias", count: 2 * k)
        value = Dense(weight: try file.matrix("value_head.weight", rows: 2 * k, cols: config.featureDim), bias: vBias)
        if let p = config.promptDim {
            let bias = file.tensors["prompt_head.bias"] == nil ? nil : try file.vector("prompt_head.bias", count: k)
            promptHead = Dense(weight: try file.matrix("prompt_head.weight", rows: k, cols: p), bias: bias)
        } else {
            promptHead = nil
        }
    }

    var parameterCount: Int {
        value.weight.values.count + (value.bias?.count ?? 0)
            + (promptHead.map { $0.weight.values.count + ($0.bias?.count ?? 0) } ?? 0)
    }

    func encode(_ items: Matrix) -> Matrix {
        var v = value(items)
        guard config.normalizeValues ?? false else { return v }
        for r in 0..<v.rows {
            let n = Numerics.norm(v.row(r))
            for c in 0..<v.cols { v[r, c] = Float(Double(v[r, c]) / n) }
        }
        return v
    }

    func contexts(_ prompts: Matrix?) throws -> [PromptContext] {
        guard let prompts else { return [PromptContext(offset: [Double](repeating: 0, count: config.stateDim))] }
        guard let promptHead else { throw RewardModelError(.unsupported, "this gpm head has no prompt head and takes no prompt") }
        let logits = promptHead(prompts)
        return (0..<prompts.rows).map { PromptContext(offset: logits.doubleRow($0)) }
    }

    func scores(_ encoded: Matrix, rows: [Int], context: PromptContext, theta: [Double]) -> [Double] {
        preconditionFailure("gpm has no scalar score; RewardHead scores it against a reference or the pool")
    }

    func pair(_ encoded: Matrix, _ a: Int, _ b: Int, context: PromptContext) -> PairFeatures {
        let cross = (0..<config.stateDim).map { i -> Double in
            let a0 = Double(encoded[a, 2 * i]), a1 = Double(encoded[a, 2 * i + 1])
            let b0 = Double(encoded[b, 2 * i]), b1 = Double(encoded[b, 2 * i + 1])
            return a0 * b1 - a1 * b0
        }
        return .blocks(cross: cross, offset: context.offset, inverseTau: 1 / config.temperature)
    }

    func store(into file: inout SafeTensors) {
        file.tensors["value_head.weight"] = Tensor(value.weight)
        if let bias = value.bias { file.tensors["value_head.bias"] = Tensor(vector: bias) }
        if let promptHead {
            file.tensors["prompt_head.weight"] = Tensor(promptHead.weight)
            if let bias = promptHead.bias { file.tensors["prompt_head.bias"] = Tensor(vector: bias) }
        }
    }
}
