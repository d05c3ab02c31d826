import Tensors

/// One encoder layer, its work cut into `fork.width` parts that run on their own threads, each
/// part's sgemms single-threaded. OpenBLAS's own threading scales poorly on these few-hundred-row
/// products; splitting them ourselves keeps each core on its own large sgemm. Every output value
/// is computed by the same operations in the same order whatever the split, so results do not
/// depend on the thread count.
///
/// Two ways to split, chosen by the token count (measured on 2 cores, 256-token and 12-token texts):
/// - **by rows** (tokens), when every part gets at least `minimumRowsPerPart`: each part runs the
///   whole layer after attention on its own rows (output projection, LayerNorm, feed-forward,
///   LayerNorm) with no join in between, its rows of the 1536-wide intermediate staying in its
///   core's cache. Every part packs the whole weights (OpenBLAS packs per call).
/// - **by columns** for a few tokens (a short text alone): each dense product is cut into column
///   blocks, so each part packs only its share of the weights, which dominate the cost there; the
///   steps join in between (LayerNorm needs whole rows).
/// Attention is split by (text, head) pairs either way.
extension BertModel {
    static let minimumRowsPerPart = 64

    /// The block of an `[m, n]` product that one part computes.
    struct Block {
        var rows: Range<Int>
        var columns: Range<Int>

        /// `c[block] = a[rows] · b[:, columns]` (`a` is `[m, k]`, `b` `[k, n]`, row-major).
        func gemm(k: Int, _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
                  _ c: UnsafeMutablePointer<Float>, ldc: Int) {
            BLAS.gemm(m: rows.count, n: columns.count, k: k, a + rows.lowerBound * lda, lda: lda,
                      b + columns.lowerBound, ldb: ldb, c + rows.lowerBound * ldc + columns.lowerBound, ldc: ldc)
        }

        /// Where the block starts in a row-major `x` with `ldx` columns.
        func offset(_ x: UnsafeMutablePointer<Float>, ldx: Int) -> UnsafeMutablePointer<Float> {
            x + rows.lowerBound * ldx + columns.lowerBound
        }
    }

    func layer(_ w: BertWeights.Layer, tokens t: Int, offsets: [Int], scratch s: Scratch, fork: Fork) {
        let h = configuration.hiddenSize, i = configuration.intermediateSize
        let byRows = t >= Self.minimumRowsPerPart * fork.width
        func block(_ part: Int, columns n: Int) -> Block {
            byRows ? Block(rows: fork.slice(t, part: part), columns: 0..<n)
                : Block(rows: 0..<t, columns: fork.slice(n, part: part, multiple: 16))  // 64-byte column boundaries
        }
        fork.run { queryKeyValue(w, block($0, columns: 3 * h), scratch: s) }
        attention(offsets: offsets, scratch: s, fork: fork)
        if byRows {
            fork.run { part in
                let rows = fork.slice(t, part: part)
                attentionOutput(w, Block(rows: rows, columns: 0..<h), scratch: s)
                residualNorm(w.attentionOutBias, w.attentionNorm, rows: rows, scratch: s)
                feedForwardUp(w, Block(rows: rows, columns: 0..<i), scratch: s)
                feedForwardDown(w, Block(rows: rows, columns: 0..<h), scratch: s)
                residualNorm(w.outputBias, w.outputNorm, rows: rows, scratch: s)
            }
        } else {
            fork.run { attentionOutput(w, block($0, columns: h), scratch: s) }
            fork.run { residualNorm(w.attentionOutBias, w.attentionNorm, rows: fork.slice(t, part: $0), scratch: s) }
            fork.run { feedForwardUp(w, block($0, columns: i), scratch: s) }
            fork.run { feedForwardDown(w, block($0, columns: h), scratch: s) }
            fork.run { residualNorm(w.outputBias, w.outputNorm, rows: fork.slice(t, part: $0), scratch: s) }
        }
    }

    /// Q, K, V: one product with the fused `[H, 3H]` weight, plus bias.
    private func queryKeyValue(_ w: BertWeights.Layer, _ b: Block, scratch s: Scratch) {
        let n = 3 * configuration.hiddenSize
        w.qkvWeight.withUnsafeBufferPointer { b.gemm(k: configuration.hiddenSize, s.hidden, lda: configuration.hiddenSize, $0.baseAddress!, ldb: n, s.qkv, ldc: n) }
        w.qkvBias.withUnsafeBufferPointer {
            Kernels.addBias(b.offset(s.qkv, ldx: n), bias: $0.baseAddress! + b.columns.lowerBound, rows: b.rows.count, width: b.columns.count, stride: n)
        }
    }

    /// The attention output projection into `delta` (its bias is added with the residual).
    private func attentionOutput(_ w: BertWeights.Layer, _ b: Block, scratch s: Scratch) {
        let h = configuration.hiddenSize
        w.attentionOutWeight.withUnsafeBufferPointer { b.gemm(k: h, s.context, lda: h, $0.baseAddress!, ldb: h, s.delta, ldc: h) }
    }

    /// `intermediate = GELU(x·W1ᵀ + b1)`.
    private func feedForwardUp(_ w: BertWeights.Layer, _ b: Block, scratch s: Scratch) {
        let h = configuration.hiddenSize, i = configuration.intermediateSize
        w.intermediateWeight.withUnsafeBufferPointer { b.gemm(k: h, s.hidden, lda: h, $0.baseAddress!, ldb: i, s.intermediate, ldc: i) }
        w.intermediateBias.withUnsafeBufferPointer {
            Kernels.addBiasGELU(b.offset(s.intermediate, ldx: i), bias: $0.baseAddress! + b.columns.lowerBound,
                                rows: b.rows.count, width: b.columns.count, stride: i)
        }
    }

    /// `delta = intermediate·W2ᵀ` (its bias is added with the residual).
    private func feedForwardDown(_ w: BertWeights.Layer, _ b: Block, scratch s: Scratch) {
        let h = configuration.hiddenSize, i = configuration.intermediateSize
        w.outputWeight.withUnsafeBufferPointer { b.gemm(k: i, s.intermediate, lda: i, $0.baseAddress!, ldb: h, s.delta, ldc: h) }
    }

    /// `hidden[rows] = LayerNorm(hidden + delta + bias)`.
    private func residualNorm(_ bias: [Float], _ norm: BertWeights.LayerNorm, rows: Range<Int>, scratch s: Scratch) {
        let h = configuration.hiddenSize
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
