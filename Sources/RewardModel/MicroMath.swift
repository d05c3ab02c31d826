import Tensors

/// micro (MiCRo): r_k(x) = w_kᵀx; π = softmax(router(p) + θ) (router bias only without a prompt);
/// P(a≻b) = Σ_k π_k σ(r_k(a) − r_k(b)); scalar score Σ_k π_k r_k(x).
struct MicroMath: HeadMath {
    let config: HeadConfig
    let score: Dense
    let router: Dense?

    static func specs(_ c: HeadConfig) -> [TensorSpec] {
        var specs = [TensorSpec(name: "score.weight", shape: [c.stateDim, c.featureDim], optional: false, fanIn: c.featureDim)]
        if let p = c.promptDim {
            specs.append(TensorSpec(name: "router.weight", shape: [c.stateDim, p], optional: false, fanIn: p))
            specs.append(TensorSpec(name: "router.bias", shape: [c.stateDim], optional: true, fanIn: 1))
        }
        return specs
    }

    init(config: HeadConfig, file: SafeTensors) throws {
        self.config = config
        let k = config.stateDim
        score = Dense(weight: try file.matrix("score.weight", rows: k, cols: config.featureDim), bias: nil)
        if let p = config.promptDim {
            let bias = file.tensors["router.bias"] == nil ? nil : try file.vector("router.bias", count: k)
            router = Dense(weight: try file.matrix("router.weight", rows: k, cols: p), bias: bias)
        } else {
            router = nil
        }
    }

    var parameterCount: Int {
        score.weight.values.count + (router.map { $0.weight.values.count + ($0.bias?.count ?? 0) } ?? 0)
    }

    func encode(_ items: Matrix) -> Matrix { score(items) }

    func contexts(_ prompts: Matrix?) throws -> [PromptContext] {
        let k = config.stateDim
        guard let prompts else {
            return [PromptContext(offset: router?.bias.map { $0.map(Double.init) } ?? [Double](repeating: 0, count: k))]
        }
        guard let router else { throw RewardModelError(.unsupported, "this micro head has no router and takes no prompt") }
        let logits = router(prompts)
        return (0..<prompts.rows).map { PromptContext(offset: logits.doubleRow($0)) }
    }

    func scores(_ encoded: Matrix, rows: [Int], context: PromptContext, theta: [Double]) -> [Double] {
        let k = config.stateDim
        let pi = Numerics.softmax((0..<k).map { theta[$0] + context.offset[$0] })
        return rows.map { r in
            var s = 0.0
            for j in 0..<k { s += pi[j] * Double(encoded[r, j]) }
            return s
        }
    }

    func pair(_ encoded: Matrix, _ a: Int, _ b: Int, context: PromptContext) -> PairFeatures {
        let k = config.stateDim
        return .mixture(diff: (0..<k).map { Double(encoded[a, $0]) - Double(encoded[b, $0]) }, offset: context.offset)
    }

    func store(into file: inout SafeTensors) {
        file.tensors["score.weight"] = Tensor(score.weight)
        if let router {
            file.tensors["router.weight"] = Tensor(router.weight)
            if let bias = router.bias { file.tensors["router.bias"] = Tensor(vector: bias) }
        }
    }
}
