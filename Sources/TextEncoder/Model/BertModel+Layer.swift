import Tensors

/// One encoder layer, every step cut into `fork.width` parts that run on their own threads: the
/// dense layers by blocks of the output (each part one single-threaded sgemm into its block),
/// attention by (text, head) pairs, LayerNorm by rows. OpenBLAS's own threading scales poorly on
/// these 256-row products (1.15× on two cores); splitting them ourselves keeps each core on one
/// large sgemm. Every output value is computed by the same operations in the same order as with
/// one part, so results do not depend on the thread count.
extension BertModel {
    /// The block of an `m × n` product that part `part` computes. Splitting the columns makes every
    /// part pack the whole left operand (`m × k` activations), splitting the rows the whole weight
    /// (`k × n`); the smaller of the two is duplicated. Column blocks start on 64-byte boundaries.
    struct Block {
        var rows: Range<Int>
        var columns: Range<Int>

        init(m: Int, n: Int, part: Int, of fork: Fork) {
            if m < n {
                rows = 0..<m
                columns = fork.slice(n, part: part, multiple: 16)
            } else {
                rows = fork.slice(m, part: part)
                columns = 0..<n
            }
        }

        /// `c[block] = a[rows] · b[:, columns]` (`a` is `[m, k]`, `b` `[k, n]`, row-major).
        func gemm(k: Int, _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
                  _ c: UnsafeMutablePointer<Float>, ldc: Int) {
            BLAS.gemm(m: rows.count, n: columns.count, k: k, a + rows.lowerBound * lda, lda: lda,
                      b + columns.lowerBound, ldb: ldb, c + rows.lowerBound * ldc + columns.lowerBound, ldc: ldc)
        }
    }

    func layer(_ w: BertWeights.Layer, tokens t: Int, offsets: [Int], scratch s: Scratch, fork: Fork) {
        let c = configuration
        let h = c.hiddenSize, i = c.intermediateSize
        // Q, K, V for every token: one product with the fused [H, 3H] weight, plus bias.
        fork.run { part in
            let block = Block(m: t, n: 3 * h, part: part, of: fork)
            w.qkvWeight.withUnsafeBufferPointer { block.gemm(k: h, s.hidden, lda: h, $0.baseAddress!, ldb: 3 * h, s.qkv, ldc: 3 * h) }
            w.qkvBias.withUnsafeBufferPointer {
                Kernels.addBias(s.qkv + block.rows.lowerBound * 3 * h + block.columns.lowerBound, bias: $0.baseAddress! + block.columns.lowerBound,
                                rows: block.rows.count, width: block.columns.count, stride: 3 * h)
            }
        }
        // Attention: (text, head) pairs dealt round-robin, so each part gets every other head of
        // every text whatever the texts' lengths (12 heads split evenly).
        let pairs = (offsets.count - 1) * c.headCount
        fork.run { part in
            for pair in stride(from: part, to: pairs, by: fork.width) {
                let text = pair / c.headCount
                attention(start: offsets[text], length: offsets[text + 1] - offsets[text], head: pair % c.headCount,
                          scratch: s, part: part)
            }
        }
        // Attention output projection, then residual + LayerNorm.
        fork.run { part in
            let block = Block(m: t, n: h, part: part, of: fork)
            w.attentionOutWeight.withUnsafeBufferPointer { block.gemm(k: h, s.context, lda: h, $0.baseAddress!, ldb: h, s.delta, ldc: h) }
        }
        residualNorm(w.attentionOutBias, w.attentionNorm, tokens: t, scratch: s, fork: fork)
        // Feed-forward: GELU(x·W1ᵀ + b1)·W2ᵀ + b2, residual, LayerNorm.
        fork.run { part in
            let block = Block(m: t, n: i, part: part, of: fork)
            w.intermediateWeight.withUnsafeBufferPointer { block.gemm(k: h, s.hidden, lda: h, $0.baseAddress!, ldb: i, s.intermediate, ldc: i) }
            w.intermediateBias.withUnsafeBufferPointer {
                Kernels.addBiasGELU(s.intermediate + block.rows.lowerBound * i + block.columns.lowerBound, bias: $0.baseAddress! + block.columns.lowerBound,
                                    rows: block.rows.count, width: block.columns.count, stride: i)
            }
        }
        fork.run { part in
            let block = Block(m: t, n: h, part: part, of: fork)
            w.outputWeight.withUnsafeBufferPointer { block.gemm(k: i, s.intermediate, lda: i, $0.baseAddress!, ldb: h, s.delta, ldc: h) }
        }
        residualNorm(w.outputBias, w.outputNorm, tokens: t, scratch: s, fork: fork)
    }

    /// One head of self-attention over one text (rows `start ..< start + length`), read in place
    /// from the packed Q/K/V rows and written in place into the context rows, using part `part`'s
    /// score buffer.
    private func attention(start: Int, length l: Int, head: Int, scratch s: Scratch, part: Int) {
        let c = configuration
        let h = c.hiddenSize, d = c.headSize
        let scale = 1 / Float(d).squareRoot()
        let rows = s.qkv + start * 3 * h
        let scores = s.scores + part * s.maxLength * s.maxLength
        let inverseSums = s.inverseSums + part * s.maxLength
        let q = rows + head * d, k = rows + h + head * d, v = rows + 2 * h + head * d
        BLAS.gemm(m: l, n: l, k: d, alpha: scale, q, lda: 3 * h, k, ldb: 3 * h, transposeB: true, scores, ldc: l)
        // softmax(QKᵀ)·V = diag(1/Σ)·(exp(QKᵀ − max)·V): normalise the d-wide result, not the l-wide row.
        Kernels.expRows(scores, rows: l, width: l, stride: l, inverseSums: inverseSums)
        let out = s.context + start * h + head * d
        BLAS.gemm(m: l, n: d, k: l, scores, lda: l, v, ldb: 3 * h, out, ldc: h)
        Kernels.scaleRows(out, rows: l, width: d, stride: h, scales: inverseSums)
    }

    /// `hidden = LayerNorm(hidden + delta + bias)`, rows split over the fork.
    private func residualNorm(_ bias: [Float], _ norm: BertWeights.LayerNorm, tokens: Int, scratch s: Scratch, fork: Fork) {
        let h = configuration.hiddenSize
        fork.run { part in
            let rows = fork.slice(tokens, part: part)
            bias.withUnsafeBufferPointer { b in
                norm.gamma.withUnsafeBufferPointer { g in
                    norm.beta.withUnsafeBufferPointer { be in
                        Kernels.addBiasResidualLayerNorm(s.hidden + rows.lowerBound * h, delta: s.delta + rows.lowerBound * h, bias: b.baseAddress!,
                                                         gamma: g.baseAddress!, beta: be.baseAddress!, rows: rows.count, width: h,
                                                         epsilon: configuration.layerNormEpsilon)
                    }
                }
            }
        }
    }
}
