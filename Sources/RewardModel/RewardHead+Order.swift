import Foundation
import Tensors

extension RewardHead {
    /// log of the probability of a full order (best first) of `items`: Plackett–Luce on the scores,
    /// Σ_k π_k PL_k for micro. gpm has no order probability (an `unsupported` error).
    public func logProbability(ofOrder order: [Int], prompt: [Float]? = nil, items: Matrix, state: UserState? = nil) throws -> Double {
        guard kind != .gpm else { throw RewardModelError(.unsupported, "gpm has no order probability") }
        guard order.count == items.rows, Set(order) == Set(0..<items.rows) else {
            throw fail("order must be a permutation of the \(items.rows) items")
        }
        let batch = ScoringBatch(items: items, prompts: prompt.map { Matrix(row: $0) },
                                 groups: [.init(rows: 0..<items.rows, prompt: prompt == nil ? nil : 0, state: state)])
        let (encoded, context, theta) = try encodeSingle(batch)
        if kind == .micro {
            let pi = Numerics.softmax((0..<stateDim).map { theta[$0] + context.offset[$0] })
            return Numerics.logSumExp((0..<stateDim).map { k in
                log(pi[k]) + Self.logPlackettLuce(order.map { Double(encoded[$0, k]) })
            })
        }
        let scores = math.scores(encoded, rows: Array(0..<items.rows), context: context, theta: theta)
        return Self.logPlackettLuce(order.map { scores[$0] })
    }
}
