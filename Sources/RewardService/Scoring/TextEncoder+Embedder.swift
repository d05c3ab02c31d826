import TextEncoder
import Tensors

extension TextEncoder: TextEmbedder {
    public func embeddings(for texts: [String]) throws -> [[Float]] {
        let m: Tensors.Matrix = embed(texts)
        return (0..<m.rows).map { Array(m.row($0)) }
    }
}
