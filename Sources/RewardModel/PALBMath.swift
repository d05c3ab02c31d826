import Foundation
import Tensors

/// pal-b: w = softmax(θ), u(p) = Σ_k w_k g_k(p), r = s · cos(f(x), u(p)), s = min(exp(logit_scale), 100).
/// Without a prompt the g_k are learned constant vectors (`user_learner.prototypes`, K×m).
struct PALBMath: HeadMath {
    let config: HeadConfig
    let projector: MLP
    /// One MLP per mixture component when the head takes a prompt.
    let promptProjectors: [MLP]
    /// K×m constant g_k when it does not.
    let prototypes: Matrix?
    /// The prompt-free context, built once: every prepared comparison of this head shares its Gram
    /// buffer (arrays are copy-on-write), so caching many comparisons does not copy K×K per item.
    let fixedContext: PromptContext?
    let logitScale: Float

    var scale: Double { min(exp(Double(logitScale)), 100) }

    static func specs(_ c: HeadConfig) -> [TensorSpec] {
        var specs = TensorSpec.mlp("projector_f", inputs: c.featureDim, hidden: c.mlpWidth, outputs: c.projectorOutput)
        if let p = c.promptDim {
            for k in 0..<c.stateDim {
                specs += TensorSpec.mlp("user_learner.projectors.\(k)", inputs: p, hidden: c.mlpWidth, outputs: c.projectorOutput)
            }
        } else {
            specs.append(TensorSpec(name: "user_learner.prototypes", shape: [c.stateDim, c.projectorOutput], optional: false, fanIn: 1))
        }
        specs.append(TensorSpec(name: "logit_scale", shape: [1], optional: false, fanIn: 0))
        return specs
    }

    init(config c: HeadConfig, file: SafeTensors) throws {
        config = c
        let act = c.activation ?? .gelu
        let residual = c.residual ?? false
        if residual, let p = c.promptDim, p != c.projectorOutput {
            throw RewardModelError(.invalidHead, "residual prompt projectors need prompt_dim = output_dim")
        }
        projector = try MLP.load(file, prefix: "projector_f", inputs: c.featureDim, hidden: c.mlpWidth,
                                 outputs: c.projectorOutput, activation: act, residual: residual)
        if let p = c.promptDim {
            promptProjectors = try (0..<c.stateDim).map {
                try MLP.load(file, prefix: "user_learner.projectors.\($0)", inputs: p, hidden: c.mlpWidth,
                             outputs: c.projectorOutput, activation: act, residual: residual)
            }
            prototypes = nil
        } else {
            promptProjectors = []
            prototypes = try file.matrix("user_learner.prototypes", rows: c.stateDim, cols: c.projectorOutput)
        }
        fixedContext = prototypes.map { Self.context(basis: $0) }
        logitScale = try file.vector("logit_scale", count: 1)[0]
        guard logitScale.isFinite else { throw RewardModelError(.invalidHead, "logit_scale is not finite") }
    }

    var parameterCount: Int {
        projector.parameterCount + promptProjectors.reduce(0) { $0 + $1.parameterCount } + (prototypes?.values.count ?? 0) + 1
    }

    /// f̂(x) = f(x)/‖f(x)‖_ε, row by row.
    func encode(_ items: Matrix) -> Matrix {
        var f = projector(items)
        let m = f.cols
        f.values.withUnsafeMutableBufferPointer { p in
            for r in 0..<f.rows {
                let row = UnsafeMutableBufferPointer(rebasing: p[r * m ..< (r + 1) * m])
                let n = Numerics.norm(row)
                if n < 1e30 {
                    let inverse = Float(1 / n)
                    for c in row.indices { row[c] *= inverse }
                } else {
                    for c in row.indices { row[c] = Float(Double(row[c]) / n) }
                }
            }
        }
        return f
    }

    func contexts(_ prompts: Matrix?) throws -> [PromptContext] {
        if let fixedContext {
            guard prompts == nil else { throw RewardModelError(.unsupported, "this pal-b head takes no prompt") }
            return [fixedContext]
        }
        guard let prompts else { throw RewardModelError(.invalidInput, "this pal-b head needs a prompt") }
        let outputs = promptProjectors.map { $0(prompts) }   // K matrices, prompts × m
        let m = config.projectorOutput
        return (0..<prompts.rows).map { p in
            var basis = [Float]()
            basis.reserveCapacity(config.stateDim * m)
            for k in 0..<config.stateDim { basis += outputs[k].row(p) }
            return Self.context(basis: Matrix(rows: config.stateDim, cols: m, values: basis))
        }
    }

    static func context(basis: Matrix) -> PromptContext {
        PromptContext(basis: basis, gram: BLAS.multiply(basis, basis, transposeB: true).values.map(Double.init))
    }

    func scores(_ encoded: Matrix, rows: [Int], context: PromptContext, theta: [Double]) -> [Double] {
        let basis = context.basis!
        let k = config.stateDim, m = basis.cols
        let w = Numerics.softmax(theta)
        var u = [Double](repeating: 0, count: m)
        for i in 0..<k {
            for j in 0..<m { u[j] += w[i] * Double(basis[i, j]) }
        }
        let uw = PairFeatures.multiply(context.gram, w, k)
        let norm = (max(Numerics.dot(w, uw), 0) + Numerics.normEpsilon * Numerics.normEpsilon).squareRoot()
        let s = scale
        return rows.map { r in
            var dot = 0.0
            for j in 0..<m { dot += Double(encoded[r, j]) * u[j] }
            return s * dot / norm
        }
    }

    func pair(_ encoded: Matrix, _ a: Int, _ b: Int, context: PromptContext) -> PairFeatures {
        let basis = context.basis!
        let m = basis.cols
        var difference = [Float](repeating: 0, count: m)
        encoded.values.withUnsafeBufferPointer { e in
            for j in 0..<m { difference[j] = e[a * m + j] - e[b * m + j] }
        }
        var c = [Float](repeating: 0, count: config.stateDim)
        BLAS.gemv(basis, difference, into: &c)
        return .cosine(c: c.map(Double.init), gram: context.gram, scale: scale)
    }

    func store(into file: inout SafeTensors) {
        projector.store(into: &file, prefix: "projector_f")
        for (k, g) in promptProjectors.enumerated() { g.store(into: &file, prefix: "user_learner.projectors.\(k)") }
        if let prototypes { file.tensors["user_learner.prototypes"] = Tensor(prototypes) }
        file.tensors["logit_scale"] = Tensor(vector: [logitScale])
    }
}
