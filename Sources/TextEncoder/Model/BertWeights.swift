import Tensors

/// The immutable weights of a BERT encoder, laid out for the forward pass: Q, K and V fused into
/// one `[3H, H]` projection (one sgemm per layer instead of three), the token-type row folded
/// into the position table (every token has type 0), weights kept in PyTorch `[out, in]` order.
struct BertWeights: Sendable {
    struct LayerNorm: Sendable {
        var gamma: [Float]
        var beta: [Float]
    }

    struct Layer: Sendable {
        var qkvWeight: [Float]      // [H, 3H] (stored transposed: see `inputMajor`)
        var qkvBias: [Float]        // [3H]
        var attentionOutWeight: [Float]  // [H, H], transposed
        var attentionOutBias: [Float]
        var attentionNorm: LayerNorm
        var intermediateWeight: [Float]  // [H, I], transposed
        var intermediateBias: [Float]
        var outputWeight: [Float]   // [I, H], transposed
        var outputBias: [Float]
        var outputNorm: LayerNorm
    }

    var wordEmbeddings: [Float]          // [V, H]
    /// Position embeddings plus the type-0 token-type embedding, [P, H].
    var positionAndTypeEmbeddings: [Float]
    var embeddingNorm: LayerNorm
    var layers: [Layer]

    static func load(path: String, configuration c: BertConfiguration) throws -> BertWeights {
        let file: SafeTensors
        do {
            file = try SafeTensors.load(path: path)
        } catch let error as TensorsError where error.code == .io {
            throw TextEncoderError(.missingFile, "\(error)")
        } catch {
            throw TextEncoderError(.badWeights, "\(error)")
        }
        // Plain BertModel checkpoints have no prefix; BertFor… ones put the encoder under "bert.".
        let prefix = file.tensors["embeddings.word_embeddings.weight"] == nil && file.tensors["bert.embeddings.word_embeddings.weight"] != nil ? "bert." : ""
        func values(_ name: String, _ shape: [Int]) throws -> [Float] {
            do {
                return try file.tensor(prefix + name, shape: shape).values
            } catch {
                throw TextEncoderError(.badWeights, "\(error)")
            }
        }
        func norm(_ name: String) throws -> LayerNorm {
            LayerNorm(gamma: try values(name + ".weight", [c.hiddenSize]), beta: try values(name + ".bias", [c.hiddenSize]))
        }
        let h = c.hiddenSize, i = c.intermediateSize
        var positions = try values("embeddings.position_embeddings.weight", [c.maxPositions, h])
        let type0 = try values("embeddings.token_type_embeddings.weight", [c.typeVocabularySize, h])[0..<h]
        for p in 0..<c.maxPositions {
            for j in 0..<h { positions[p * h + j] += type0[j] }
        }
        var layers: [Layer] = []
        for l in 0..<c.layerCount {
            let base = "encoder.layer.\(l)."
            let attention = base + "attention.self."
            var qkvWeight: [Float] = []
            var qkvBias: [Float] = []
            for part in ["query", "key", "value"] {
                qkvWeight += try values(attention + part + ".weight", [h, h])
                qkvBias += try values(attention + part + ".bias", [h])
            }
            layers.append(Layer(
                qkvWeight: Self.inputMajor(qkvWeight, out: 3 * h, in: h), qkvBias: qkvBias,
                attentionOutWeight: Self.inputMajor(try values(base + "attention.output.dense.weight", [h, h]), out: h, in: h),
                attentionOutBias: try values(base + "attention.output.dense.bias", [h]),
                attentionNorm: try norm(base + "attention.output.LayerNorm"),
                intermediateWeight: Self.inputMajor(try values(base + "intermediate.dense.weight", [i, h]), out: i, in: h),
                intermediateBias: try values(base + "intermediate.dense.bias", [i]),
                outputWeight: Self.inputMajor(try values(base + "output.dense.weight", [h, i]), out: h, in: i),
                outputBias: try values(base + "output.dense.bias", [h]),
                outputNorm: try norm(base + "output.LayerNorm")))
        }
        return BertWeights(
            wordEmbeddings: try values("embeddings.word_embeddings.weight", [c.vocabularySize, h]),
            positionAndTypeEmbeddings: positions,
            embeddingNorm: try norm("embeddings.LayerNorm"),
            layers: layers)
    }

    /// PyTorch's Linear weight `[out, in]` as `[in, out]`: OpenBLAS then packs the weight panels
    /// with its plain copy instead of its transposing copy on every call.
    static func inputMajor(_ w: [Float], out: Int, in inputs: Int) -> [Float] {
        var t = [Float](repeating: 0, count: w.count)
        for o in 0..<out {
            for i in 0..<inputs { t[i * out + o] = w[o * inputs + i] }
        }
        return t
    }
}
