import Tensors

/// What a user state acts on for one prompt (or for no prompt).
struct PromptContext: Sendable {
    /// pal-b: G = [g_1(p); …; g_K(p)] (K×m).
    var basis: Matrix?
    /// pal-b: G Gᵀ in Float64 (K×K).
    var gram: [Double] = []
    /// gpm: prompt_head(p); micro: router(p) or its bias; added to θ before the softmax.
    var offset: [Double] = []
}

/// The per-kind math behind `RewardHead`: a batched, prompt-independent encoding of items (the big
/// sgemm), prompt contexts, scalar scores and the pair features the logit depends on.
protocol HeadMath: Sendable {
    var config: HeadConfig { get }
    var parameterCount: Int { get }
    /// Item features → per-item shared representation, one row per item.
    func encode(_ items: Matrix) -> Matrix
    /// One context per prompt row; a single prompt-free context when `prompts` is nil.
    func contexts(_ prompts: Matrix?) throws -> [PromptContext]
    /// Scalar scores of encoded rows (not used for gpm, which has none).
    func scores(_ encoded: Matrix, rows: [Int], context: PromptContext, theta: [Double]) -> [Double]
    /// Features of the pair (row a ≻ row b) for the logit.
    func pair(_ encoded: Matrix, _ a: Int, _ b: Int, context: PromptContext) -> PairFeatures
    /// Writes the head's tensors (PyTorch names).
    func store(into file: inout SafeTensors)
}

/// Tensor names and shapes of a kind, used by loading (validation) and random initialisation.
struct TensorSpec {
    let name: String
    let shape: [Int]
    /// Optional tensors (biases) may be absent in a file.
    let optional: Bool
    /// Random heads draw this many inputs as the fan-in (0: constant-ish small values).
    let fanIn: Int

    static func mlp(_ prefix: String, inputs: Int, hidden: Int, outputs: Int) -> [TensorSpec] {
        [(0, hidden, inputs), (3, hidden, hidden), (6, outputs, hidden)].flatMap { index, out, inp in
            [TensorSpec(name: "\(prefix).mlp.layers.\(index).weight", shape: [out, inp], optional: false, fanIn: inp),
             TensorSpec(name: "\(prefix).mlp.layers.\(index).bias", shape: [out], optional: true, fanIn: inp)]
        }
    }
}

extension Matrix {
    /// Row `r` as Float64.
    func doubleRow(_ r: Int) -> [Double] {
        row(r).map(Double.init)
    }
}
