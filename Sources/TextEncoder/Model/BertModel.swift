import Tensors

/// The BERT encoder forward pass on a packed batch: the tokens of all texts are stacked without
/// padding ([T, H] for T tokens in total), so every dense layer is one sgemm over real tokens only,
/// and attention runs per text over exactly its own keys — the result equals a padded batch with
/// an attention mask over the padded keys, without computing the padding.
struct BertModel: Sendable {
    let configuration: BertConfiguration
    let weights: BertWeights

    /// Working buffers for up to `tokens` tokens, allocated uninitialised (every value is written
    /// before it is read) and owned by one call.
    final class Scratch {
        let capacity: Int
        let maxLength: Int
        let hidden: UnsafeMutablePointer<Float>
        let qkv: UnsafeMutablePointer<Float>
        let context: UnsafeMutablePointer<Float>
        let delta: UnsafeMutablePointer<Float>
        let intermediate: UnsafeMutablePointer<Float>
        let scores: UnsafeMutablePointer<Float>
        let inverseSums: UnsafeMutablePointer<Float>

        init(tokens: Int, maxLength: Int, configuration c: BertConfiguration) {
            capacity = tokens
            self.maxLength = maxLength
            hidden = .allocate(capacity: tokens * c.hiddenSize)
            qkv = .allocate(capacity: tokens * 3 * c.hiddenSize)
            context = .allocate(capacity: tokens * c.hiddenSize)
            delta = .allocate(capacity: tokens * c.hiddenSize)
            intermediate = .allocate(capacity: tokens * c.intermediateSize)
            scores = .allocate(capacity: maxLength * maxLength)
            inverseSums = .allocate(capacity: maxLength)
        }

        deinit {
            for p in [hidden, qkv, context, delta, intermediate, scores, inverseSums] { p.deallocate() }
        }
    }

    /// Runs the encoder on `sequences` (token ids, each at most `maxTokens` long and at most
    /// `scratch.capacity` tokens in total) and writes one pooled, L2-normalised row per sequence
    /// to `output` ([sequences.count, H]).
    func encode(_ sequences: ArraySlice<[Int32]>, scratch: Scratch, output: UnsafeMutablePointer<Float>) {
        let c = configuration
        let h = c.hiddenSize
        var offsets: [Int] = [0]
        for ids in sequences { offsets.append(offsets.last! + ids.count) }
        let tokens = offsets.last!
        precondition(tokens <= scratch.capacity, "batch larger than its scratch space")
        embed(sequences, into: scratch.hidden)
        for layer in weights.layers {
            self.layer(layer, tokens: tokens, offsets: offsets, scratch: scratch)
        }
        for (i, start) in offsets.dropLast().enumerated() {
            pool(scratch.hidden + start * h, length: offsets[i + 1] - start, into: output + i * h)
        }
    }

    /// The hidden states of one text after the embeddings (`layers == 0`) or after `layers`
    /// encoder layers, [ids.count, H] (for layer-by-layer checks against a reference).
    func hiddenStates(_ ids: [Int32], layers: Int) -> [Float] {
        let h = configuration.hiddenSize
        let scratch = Scratch(tokens: ids.count, maxLength: ids.count, configuration: configuration)
        embed([ids], into: scratch.hidden)
        for layer in weights.layers.prefix(layers) {
            self.layer(layer, tokens: ids.count, offsets: [0, ids.count], scratch: scratch)
        }
        return Array(UnsafeBufferPointer(start: scratch.hidden, count: ids.count * h))
    }

    /// Word + position + type-0 embeddings, then LayerNorm.
    private func embed(_ sequences: ArraySlice<[Int32]>, into x: UnsafeMutablePointer<Float>) {
        let h = configuration.hiddenSize
        weights.wordEmbeddings.withUnsafeBufferPointer { words in
            weights.positionAndTypeEmbeddings.withUnsafeBufferPointer { positions in
                var row = 0
                for ids in sequences {
                    for (position, id) in ids.enumerated() {
                        let out = x + row * h
                        let w = words.baseAddress! + Int(id) * h
                        let p = positions.baseAddress! + position * h
                        for j in 0..<h { out[j] = w[j] + p[j] }
                        row += 1
                    }
                }
            }
        }
        weights.embeddingNorm.gamma.withUnsafeBufferPointer { g in
            weights.embeddingNorm.beta.withUnsafeBufferPointer { b in
                Kernels.layerNorm(x, gamma: g.baseAddress!, beta: b.baseAddress!, rows: sequences.map(\.count).reduce(0, +),
                                  width: h, epsilon: configuration.layerNormEpsilon)
            }
        }
    }

    private func layer(_ w: BertWeights.Layer, tokens t: Int, offsets: [Int], scratch s: Scratch) {
        let c = configuration
        let h = c.hiddenSize, i = c.intermediateSize
        // Q, K, V for every token in one sgemm.
        w.qkvWeight.withUnsafeBufferPointer { wq in
            BLAS.gemm(m: t, n: 3 * h, k: h, s.hidden, lda: h, wq.baseAddress!, ldb: 3 * h, s.qkv, ldc: 3 * h)
        }
        w.qkvBias.withUnsafeBufferPointer { Kernels.addBias(s.qkv, bias: $0.baseAddress!, rows: t, width: 3 * h) }
        for n in 0..<(offsets.count - 1) {
            attention(start: offsets[n], length: offsets[n + 1] - offsets[n], scratch: s)
        }
        // Attention output projection, residual, LayerNorm.
        w.attentionOutWeight.withUnsafeBufferPointer { wo in
            BLAS.gemm(m: t, n: h, k: h, s.context, lda: h, wo.baseAddress!, ldb: h, s.delta, ldc: h)
        }
        residualNorm(w.attentionOutBias, w.attentionNorm, tokens: t, scratch: s)
        // Feed-forward: GELU(x·W1ᵀ + b1)·W2ᵀ + b2, residual, LayerNorm.
        w.intermediateWeight.withUnsafeBufferPointer { w1 in
            BLAS.gemm(m: t, n: i, k: h, s.hidden, lda: h, w1.baseAddress!, ldb: i, s.intermediate, ldc: i)
        }
        w.intermediateBias.withUnsafeBufferPointer { Kernels.addBiasGELU(s.intermediate, bias: $0.baseAddress!, rows: t, width: i) }
        w.outputWeight.withUnsafeBufferPointer { w2 in
            BLAS.gemm(m: t, n: h, k: i, s.intermediate, lda: i, w2.baseAddress!, ldb: h, s.delta, ldc: h)
        }
        residualNorm(w.outputBias, w.outputNorm, tokens: t, scratch: s)
    }

    /// Multi-head self-attention of one text (rows `start ..< start + length`), every head read in
    /// place from the packed Q/K/V rows and written in place into the context rows.
    private func attention(start: Int, length l: Int, scratch s: Scratch) {
        let c = configuration
        let h = c.hiddenSize, d = c.headSize
        let scale = 1 / Float(d).squareRoot()
        let rows = s.qkv + start * 3 * h
        for head in 0..<c.headCount {
            let q = rows + head * d, k = rows + h + head * d, v = rows + 2 * h + head * d
            BLAS.gemm(m: l, n: l, k: d, alpha: scale, q, lda: 3 * h, k, ldb: 3 * h, transposeB: true, s.scores, ldc: l)
            // softmax(QKᵀ)·V = diag(1/Σ)·(exp(QKᵀ − max)·V): normalise the d-wide result, not the l-wide row.
            Kernels.expRows(s.scores, rows: l, width: l, stride: l, inverseSums: s.inverseSums)
            let out = s.context + start * h + head * d
            BLAS.gemm(m: l, n: d, k: l, s.scores, lda: l, v, ldb: 3 * h, out, ldc: h)
            Kernels.scaleRows(out, rows: l, width: d, stride: h, scales: s.inverseSums)
        }
    }

    private func residualNorm(_ bias: [Float], _ norm: BertWeights.LayerNorm, tokens: Int, scratch s: Scratch) {
        bias.withUnsafeBufferPointer { b in
            norm.gamma.withUnsafeBufferPointer { g in
                norm.beta.withUnsafeBufferPointer { be in
                    Kernels.addBiasResidualLayerNorm(s.hidden, delta: s.delta, bias: b.baseAddress!, gamma: g.baseAddress!,
                                                     beta: be.baseAddress!, rows: tokens, width: configuration.hiddenSize,
                                                     epsilon: configuration.layerNormEpsilon)
                }
            }
        }
    }

    /// Pools one text's rows (mean over all its tokens, [CLS] and [SEP] included, by default) and
    /// L2-normalises the result (`x / max(‖x‖, 1e-12)`, as torch's `normalize`).
    private func pool(_ x: UnsafePointer<Float>, length: Int, into out: UnsafeMutablePointer<Float>) {
        let h = configuration.hiddenSize
        switch configuration.pooling {
        case .cls:
            for j in 0..<h { out[j] = x[j] }
        case .max:
            for j in 0..<h { out[j] = x[j] }
            for r in 1..<max(1, length) {
                for j in 0..<h { out[j] = max(out[j], x[r * h + j]) }
            }
        case .mean, .meanSqrtLength:
            for j in 0..<h { out[j] = 0 }
            for r in 0..<length {
                for j in 0..<h { out[j] += x[r * h + j] }
            }
            let divisor = configuration.pooling == .mean ? Float(length) : Float(length).squareRoot()
            for j in 0..<h { out[j] /= divisor }
        }
        var squares: Float = 0
        for j in 0..<h { squares += out[j] * out[j] }
        let inverse = 1 / max(squares.squareRoot(), 1e-12)
        for j in 0..<h { out[j] *= inverse }
    }
}
