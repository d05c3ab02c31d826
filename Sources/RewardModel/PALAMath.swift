import Tensors

/// pal-a (ideal point): r_u(x) = −‖f(x) − a_u‖ with a_u = f(wᵀP) (P is K×d) or a_u = wᵀP (P is K×m),
/// w = softmax(θ). Takes no prompt.
struct PALAMath: HeadMath {
    let config: HeadConfig
    let projector: MLP
    let prototypes: Matrix
    let throughProjector: Bool
    /// P Pᵀ in Float64 for the linear variant.
    let gram: [Double]

    static func specs(_ c: HeadConfig) -> [TensorSpec] {
        let through = c.idealPointThroughProjector ?? true
        return TensorSpec.mlp("projector", inputs: c.featureDim, hidden: c.mlpWidth, outputs: c.projectorOutput)
            + [TensorSpec(name: "user_learner.P", shape: [c.stateDim, through ? c.featureDim : c.projectorOutput], optional: false, fanIn: 1)]
    }

    init(config c: HeadConfig, file: SafeTensors) throws {
        config = c
        throughProjector = c.idealPointThroughProjector ?? true
        projector = try MLP.load(file, prefix: "projector", inputs: c.featureDim, hidden: c.mlpWidth,
                                 outputs: c.projectorOutput, activation: c.activation ?? .gelu, residual: c.residual ?? false)
        prototypes = try file.matrix("user_learner.P", rows: c.stateDim, cols: throughProjector ? c.featureDim : c.projectorOutput)
        let k = c.stateDim
        var g = [Double](repeating: 0, count: k * k)
        for i in 0..<k {
            for j in 0..<k {
                var s = 0.0
                for col in 0..<prototypes.cols { s += Double(prototypes[i, col]) * Double(prototypes[j, col]) }
                g[i * k + j] = s
            }
        }
        gram = g
    }

    var parameterCount: Int { projector.parameterCount + prototypes.values.count }

    func encode(_ items: Matrix) -> Matrix { projector(items) }

    func contexts(_ prompts: Matrix?) throws -> [PromptContext] {
        guard prompts == nil else { throw RewardModelError(.unsupported, "pal-a heads take no prompt") }
        return [PromptContext()]
    }

    /// The user's ideal point a_u in the projected space.
    func idealPoint(theta: [Double]) -> [Double] {
        let w = Numerics.softmax(theta)
        var z = [Double](repeating: 0, count: prototypes.cols)
        for k in 0..<config.stateDim {
            for j in 0..<prototypes.cols { z[j] += w[k] * Double(prototypes[k, j]) }
        }
        guard throughProjector else { return z }
        return projector(Matrix(row: z.map { Float($0) })).values.map(Double.init)
    }

    func scores(_ encoded: Matrix, rows: [Int], context: PromptContext, theta: [Double]) -> [Double] {
        let a = idealPoint(theta: theta)
        return rows.map { r in
            var q = 0.0
            for j in 0..<encoded.cols {
                let d = Double(encoded[r, j]) - a[j]
                q += d * d
            }
            return -(q + Numerics.normEpsilon * Numerics.normEpsilon).squareRoot()
        }
    }

    func pair(_ encoded: Matrix, _ a: Int, _ b: Int, context: PromptContext) -> PairFeatures {
        let fa = encoded.doubleRow(a), fb = encoded.doubleRow(b)
        if throughProjector { return .projectedIdealPoint(fa: fa, fb: fb) }
        func project(_ f: [Double]) -> [Double] {
            (0..<config.stateDim).map { k in
                var s = 0.0
                for j in 0..<f.count { s += Double(prototypes[k, j]) * f[j] }
                return s
            }
        }
        return .idealPoint(pa: project(fa), pb: project(fb), na: Numerics.dot(fa, fa), nb: Numerics.dot(fb, fb), gram: gram)
    }

    func store(into file: inout SafeTensors) {
        projector.store(into: &file, prefix: "projector")
        file.tensors["user_learner.P"] = Tensor(prototypes)
    }
}
