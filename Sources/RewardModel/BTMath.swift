import Tensors

/// bt: r(x) = MLP(x) → scalar; P(a≻b) = σ(r_a − r_b). No user state.
struct BTMath: HeadMath {
    let config: HeadConfig
    let mlp: MLP

    static func specs(_ c: HeadConfig) -> [TensorSpec] {
        TensorSpec.mlp("mlp", inputs: c.featureDim, hidden: c.mlpWidth, outputs: 1)
    }

    init(config: HeadConfig, file: SafeTensors) throws {
        self.config = config
        mlp = try MLP.load(file, prefix: "mlp", inputs: config.featureDim, hidden: config.mlpWidth, outputs: 1,
                           activation: config.activation ?? .relu, residual: false)
    }

    var parameterCount: Int { mlp.parameterCount }

    func encode(_ items: Matrix) -> Matrix { mlp(items) }

    func contexts(_ prompts: Matrix?) throws -> [PromptContext] {
        guard prompts == nil else { throw RewardModelError(.unsupported, "bt heads take no prompt") }
        return [PromptContext()]
    }

    func scores(_ encoded: Matrix, rows: [Int], context: PromptContext, theta: [Double]) -> [Double] {
        rows.map { Double(encoded.values[$0]) }
    }

    func pair(_ encoded: Matrix, _ a: Int, _ b: Int, context: PromptContext) -> PairFeatures {
        .fixed(Double(encoded.values[a]) - Double(encoded.values[b]))
    }

    func store(into file: inout SafeTensors) {
        mlp.store(into: &file, prefix: "mlp")
    }
}
