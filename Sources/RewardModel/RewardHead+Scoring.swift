import Foundation
import Tensors

extension RewardHead {
    // MARK: batched entry points (one shared-head pass for all groups)

    /// Scores per group. gpm: P(item ≻ reference) with a reference, else the mean of P(item ≻ other)
    /// over the group's other items (needs ≥ 2 items). Throws the first group's error, if any.
    public func score(_ batch: ScoringBatch) throws -> [[Double]] {
        try scoreEach(batch).map { try $0.get() }
    }

    /// Like `score`, but a group's own problem (bad state, non-finite or overflowing item, missing
    /// prompt) fails only that group. Throws only when the batch as a whole is malformed.
    public func scoreEach(_ batch: ScoringBatch) throws -> [Result<[Double], RewardModelError>] {
        let e = try encodeBatch(batch)
        return batch.groups.enumerated().map { index, group in
            Result {
                let (context, theta) = try resolve(group, index: index, in: e)
                let rows = Array(group.rows)
                guard kind == .gpm else { return math.scores(e.encoded, rows: rows, context: context, theta: theta) }
                if let reference = group.reference {
                    return rows.map { Numerics.sigmoid(math.pair(e.encoded, $0, reference, context: context).logit(theta: theta)) }
                }
                guard rows.count >= 2 else { throw fail("gpm scores one item only against a reference item") }
                return borda(e.encoded, rows: rows, context: context, theta: theta)
            }.mapError { RewardModelError.wrapping($0) }
        }
    }

    /// P(a≻b) and margin per pair; each group's rows are consecutive pairs (a₀, b₀, a₁, b₁, …).
    public func compare(_ batch: ScoringBatch) throws -> [[PairPreference]] {
        try compareEach(batch).map { try $0.get() }
    }

    public func compareEach(_ batch: ScoringBatch) throws -> [Result<[PairPreference], RewardModelError>] {
        let e = try encodeBatch(batch)
        return batch.groups.enumerated().map { index, group in
            Result {
                guard group.rows.count % 2 == 0 else { throw fail("compare group \(index) has an odd number of rows") }
                let (context, theta) = try resolve(group, index: index, in: e)
                return stride(from: group.rows.lowerBound, to: group.rows.upperBound, by: 2).map { a in
                    let h = logit(e.encoded, a, a + 1, context: context, theta: theta)
                    return PairPreference(probability: Numerics.sigmoid(h), margin: h)
                }
            }.mapError { RewardModelError.wrapping($0) }
        }
    }

    /// Ranks each group's items, best first (indices relative to the group).
    public func rank(_ batch: ScoringBatch) throws -> [Ranking] {
        try rankEach(batch).map { try $0.get() }
    }

    public func rankEach(_ batch: ScoringBatch) throws -> [Result<Ranking, RewardModelError>] {
        let e = try encodeBatch(batch)
        return batch.groups.enumerated().map { index, group in
            Result {
                let (context, theta) = try resolve(group, index: index, in: e)
                return try ranking(e.encoded, rows: Array(group.rows), context: context, theta: theta)
            }.mapError { RewardModelError.wrapping($0) }
        }
    }

    func ranking(_ encoded: Matrix, rows: [Int], context: PromptContext, theta: [Double]) throws -> Ranking {
        guard !rows.isEmpty else { throw fail("rank needs at least one item") }
        switch kind {
        case .gpm, .micro:
            let values = rows.count == 1 ? [0.5] : borda(encoded, rows: rows, context: context, theta: theta)
            let order = Self.descendingOrder(values)
            var logP: Double? = nil
            if kind == .micro {
                let ordered = order.map { rows[$0] }
                let pi = Numerics.softmax((0..<stateDim).map { theta[$0] + context.offset[$0] })
                logP = Numerics.logSumExp((0..<stateDim).map { k in
                    log(pi[k]) + Self.logPlackettLuce(ordered.map { Double(encoded[$0, k]) })
                })
            }
            return Ranking(order: order, scores: values, logProbability: logP)
        default:
            let values = math.scores(encoded, rows: rows, context: context, theta: theta)
            let order = Self.descendingOrder(values)
            return Ranking(order: order, scores: values, logProbability: Self.logPlackettLuce(order.map { values[$0] }))
        }
    }

    // MARK: single-request conveniences

    public func score(prompt: [Float]? = nil, items: Matrix, state: UserState? = nil, reference: [Float]? = nil) throws -> [Double] {
        var all = items
        var ref: Int? = nil
        if let reference {
            guard reference.count == featureDim else { throw fail("reference has \(reference.count) features, expected \(featureDim)") }
            all = items.stacking(Matrix(row: reference))
            ref = items.rows
        }
        let batch = ScoringBatch(items: all, prompts: prompt.map { Matrix(row: $0) },
                                 groups: [.init(rows: 0..<items.rows, prompt: prompt == nil ? nil : 0, state: state, reference: ref)])
        return try score(batch)[0]
    }

    public func compare(prompt: [Float]? = nil, a: [Float], b: [Float], state: UserState? = nil) throws -> PairPreference {
        guard a.count == featureDim, b.count == featureDim else { throw fail("items need \(featureDim) features") }
        let batch = ScoringBatch(items: Matrix(rows: 2, cols: featureDim, values: a + b), prompts: prompt.map { Matrix(row: $0) },
                                 groups: [.init(rows: 0..<2, prompt: prompt == nil ? nil : 0, state: state)])
        return try compare(batch)[0][0]
    }

    public func rank(prompt: [Float]? = nil, items: Matrix, state: UserState? = nil) throws -> Ranking {
        let batch = ScoringBatch(items: items, prompts: prompt.map { Matrix(row: $0) },
                                 groups: [.init(rows: 0..<items.rows, prompt: prompt == nil ? nil : 0, state: state)])
        return try rank(batch)[0]
    }

    // MARK: helpers

    func logit(_ encoded: Matrix, _ a: Int, _ b: Int, context: PromptContext, theta: [Double]) -> Double {
        let features = math.pair(encoded, a, b, context: context)
        if case .projectedIdealPoint = features {
            let scores = math.scores(encoded, rows: [a, b], context: context, theta: theta)
            return scores[0] - scores[1]
        }
        return features.logit(theta: theta)
    }

    /// Mean P(i ≻ j) over the other items j of the group. O(n²K) in tight loops without allocation
    /// (a 4,096-item gpm pool is ~10⁸ multiply-adds), for gpm and micro; other kinds go pair by pair.
    func borda(_ encoded: Matrix, rows: [Int], context: PromptContext, theta: [Double]) -> [Double] {
        let n = rows.count, k = stateDim
        var total = [Double](repeating: 0, count: n)
        switch kind {
        case .gpm:
            // s(i≻j) = Σ_b λ_b (v_i[2b] v_j[2b+1] − v_i[2b+1] v_j[2b]) / τ
            let lambda = Numerics.softmax((0..<k).map { theta[$0] + context.offset[$0] })
            let inverseTau = 1 / config.temperature
            let v = rows.map { encoded.doubleRow($0) }
            for i in 0..<n {
                let vi = v[i]
                for j in (i + 1)..<max(i + 1, n) {
                    let vj = v[j]
                    var s = 0.0
                    for b in 0..<k { s += lambda[b] * (vi[2 * b] * vj[2 * b + 1] - vi[2 * b + 1] * vj[2 * b]) }
                    let p = Numerics.sigmoid(s * inverseTau)
                    total[i] += p
                    total[j] += 1 - p
                }
            }
        case .micro:
            let logPi = Numerics.softmax((0..<k).map { theta[$0] + context.offset[$0] }).map { log($0) }
            let r = rows.map { encoded.doubleRow($0) }
            var up = [Double](repeating: 0, count: k), down = up
            for i in 0..<n {
                for j in (i + 1)..<max(i + 1, n) {
                    for b in 0..<k {
                        let d = r[i][b] - r[j][b]
                        up[b] = logPi[b] + Numerics.logSigmoid(d)
                        down[b] = logPi[b] + Numerics.logSigmoid(-d)
                    }
                    let p = Numerics.sigmoid(Numerics.logSumExp(up) - Numerics.logSumExp(down))
                    total[i] += p
                    total[j] += 1 - p
                }
            }
        default:
            for i in 0..<n {
                for j in (i + 1)..<max(i + 1, n) {
                    let p = Numerics.sigmoid(logit(encoded, rows[i], rows[j], context: context, theta: theta))
                    total[i] += p
                    total[j] += 1 - p
                }
            }
        }
        return total.map { $0 / Double(n - 1) }
    }

    static func descendingOrder(_ values: [Double]) -> [Int] {
        values.indices.sorted { values[$0] > values[$1] || (values[$0] == values[$1] && $0 < $1) }
    }

    /// log of the Plackett–Luce probability of utilities listed in the ranked order.
    static func logPlackettLuce(_ ordered: [Double]) -> Double {
        var total = 0.0
        for i in ordered.indices {
            total += ordered[i] - Numerics.logSumExp(Array(ordered[i...]))
        }
        return total
    }
}
