import Tensors

extension BertModel {
    /// Multi-head self-attention of every text over its own tokens, (text, head) pairs dealt
    /// round-robin to the parts: each part gets every other head of every text, whatever the
    /// texts' lengths (12 heads split evenly over 2 or 3 parts).
    func attention(offsets: [Int], scratch s: Scratch, fork: Fork) {
        let heads = configuration.headCount
        let pairs = (offsets.count - 1) * heads
        fork.run { part in
            for pair in stride(from: part, to: pairs, by: fork.width) {
                let text = pair / heads
                attention(start: offsets[text], length: offsets[text + 1] - offsets[text], head: pair % heads, scratch: s, part: part)
            }
        }
    }

    /// One head over one text (rows `start ..< start + length`), read in place from the packed
    /// Q/K/V rows and written in place into the context rows, with part `part`'s score buffer.
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
}
