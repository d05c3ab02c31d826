import Tensors

/// The BERT encoder forward pass on a packed batch: the tokens of all texts are stacked without
/// padding ([T, H] for T tokens in total), so every dense layer is one sgemm over real tokens only,
/// and attention runs per text over exactly its own keys — the result equals a padded batch with
/// an attention mask over the padded keys, without computing the padding. The layers
/// (`BertModel+Layer.swift`) split every step over the threads of a `Fork`.
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
        /// Attention scores and row sums, one `maxLength`² block (and one `maxLength` row) per part.
        let scores: UnsafeMutablePointer<Float>
        let inverseSums: UnsafeMutablePointer<Float>
        let parts: Int

        init(tokens: Int, maxLength: Int, parts: Int = 1, configuration c: BertConfiguration) {
            capacity = tokens
            self.maxLength = maxLength
            self.parts = parts
            hidden = .allocate(capacity: tokens * c.hiddenSize)
            qkv = .allocate(capacity: tokens * 3 * c.hiddenSize)
            context = .allocate(capacity: tokens * c.hiddenSize)
            delta = .allocate(capacity: tokens * c.hiddenSize)
            intermediate = .allocate(capacity: tokens * c.intermediateSize)
            scores = .allocate(capacity: parts * maxLength * maxLength)
            inverseSums = .allocate(capacity: parts * maxLength)
        }

        deinit {
            for p in [hidden, qkv, context, delta, intermediate, scores, inverseSums] { p.deallocate() }
        }
    }

    /// Runs the encoder on `sequences` (token ids, each at most `maxTokens` long and at most
    /// `scratch.capacity` tokens in total) and writes one pooled, L2-normalised row per sequence
    /// to `output` ([sequences.count, H]), every step cut into `fork.width` parts (at most
    /// `scratch.parts`).
    func encode(_ sequences: ArraySlice<[Int32]>, scratch: Scratch, fork: Fork = .serial, output: UnsafeMutablePointer<Float>) {
        let c = configuration
        let h = c.hiddenSize
        var offsets: [Int] = [0]
        for ids in sequences { offsets.append(offsets.last! + ids.count) }
        let tokens = offsets.last!
        precondition(tokens <= scratch.capacity, "batch larger than its scratch space")
        precondition(fork.width <= scratch.parts, "more parts than the scratch space has attention buffers for")
        embed(sequences, into: scratch.hidden)
        for layer in weights.layers {
            self.layer(layer, tokens: tokens, offsets: offsets, scratch: scratch, fork: fork)
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
            self.layer(layer, tokens: ids.count, offsets: [0, ids.count], scratch: scratch, fork: .serial)
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
