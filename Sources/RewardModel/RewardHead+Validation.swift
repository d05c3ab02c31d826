import Tensors

extension RewardHead {
    /// Bounds that keep every objective finite: |θ_k|, a comparison's weight, the prior λ.
    public static let maxStateMagnitude = 1e6
    public static let maxComparisonWeight = 1e6
    public static let maxPrior = 1e9

    func fail(_ message: String) -> RewardModelError {
        RewardModelError(.invalidInput, message)
    }

    /// θ of a state (or θ̄), checked.
    func theta(of state: UserState?) throws -> [Double] {
        guard let state else { return populationState }
        guard state.theta.count == stateDim else {
            throw fail("user state has \(state.theta.count) numbers, head expects \(stateDim)")
        }
        // Softmax saturates long before ±1e6; beyond it the prior term alone would overflow.
        guard state.theta.allSatisfy({ $0.isFinite && abs($0) <= Self.maxStateMagnitude }) else {
            throw fail("user state values must be finite and within ±\(Self.maxStateMagnitude)")
        }
        if let p = state.precision {
            guard p.count == stateDim * stateDim, p.allSatisfy({ $0.isFinite }) else {
                throw fail("precision must be \(stateDim)×\(stateDim) finite numbers")
            }
        }
        return state.theta
    }

    /// Runs the shared head over every item and prompt of the batch (one sgemm chain). Throws only
    /// for problems of the batch as a whole (matrix widths); what belongs to one group — its rows,
    /// prompt, state, non-finite or overflowing values — is reported by `resolve` for that group
    /// alone, so one bad request never fails the others coalesced with it.
    func encodeBatch(_ batch: ScoringBatch) throws -> EncodedBatch {
        guard batch.items.cols == featureDim else {
            throw fail("items have \(batch.items.cols) features, head '\(kind.rawValue)' expects \(featureDim)")
        }
        if let prompts = batch.prompts, let promptDim, prompts.cols != promptDim {
            throw fail("prompts have \(prompts.cols) features, the head expects \(promptDim)")
        }
        let d = featureDim
        let inputFinite = (0..<batch.items.rows).map { r in
            Finite.all(batch.items.values[r * d ..< (r + 1) * d])
        }
        let encoded = math.encode(batch.items)
        let width = encoded.cols
        let rowOK = (0..<batch.items.rows).map { r in
            inputFinite[r] && Finite.all(encoded.values[r * width ..< (r + 1) * width])
        }
        var contexts: [Result<PromptContext, RewardModelError>] = []
        if let prompts = batch.prompts {
            if promptDim == nil {
                let error = RewardModelError(.unsupported, "this \(kind.rawValue) head takes no prompt")
                contexts = Array(repeating: .failure(error), count: prompts.rows)
            } else {
                // Coalesced requests often share a prompt: run the prompt head once per distinct row.
                var firstRow: [ArraySlice<Float>: Int] = [:]
                var distinct: [Int] = []
                let slot = (0..<prompts.rows).map { r -> Int in
                    let row = prompts.row(r)
                    if let known = firstRow[row] { return known }
                    firstRow[row] = distinct.count
                    distinct.append(r)
                    return distinct.count - 1
                }
                let unique = distinct.count == prompts.rows ? prompts : prompts.gathering(rows: distinct)
                let computed = try math.contexts(unique)
                contexts = slot.map { computed[$0] }.enumerated().map { index, context in
                    let input = prompts.values[index * prompts.cols ..< (index + 1) * prompts.cols]
                    guard input.allSatisfy({ $0.isFinite }) else { return .failure(fail("prompt holds a non-finite value")) }
                    return Self.isFinite(context) ? .success(context) : .failure(overflow())
                }
            }
        }
        var bare: Result<PromptContext, RewardModelError>? = nil
        if batch.groups.contains(where: { $0.prompt == nil }) {
            do {
                let context = try math.contexts(nil)[0]
                bare = Self.isFinite(context) ? .success(context) : .failure(overflow())
            } catch let error as RewardModelError {
                bare = .failure(error)
            }
        }
        return EncodedBatch(encoded: encoded, inputFinite: inputFinite, rowOK: rowOK, contexts: contexts, bare: bare)
    }

    /// The context and θ of one group, or that group's own error.
    func resolve(_ group: ScoringBatch.Group, index: Int, in batch: EncodedBatch) throws -> (PromptContext, [Double]) {
        let rowCount = batch.inputFinite.count
        guard group.rows.lowerBound >= 0, group.rows.upperBound <= rowCount else {
            throw fail("group \(index) rows \(group.rows) are outside the \(rowCount) items")
        }
        if let r = group.reference, !(0..<rowCount).contains(r) {
            throw fail("group \(index) reference \(r) does not exist")
        }
        let theta = try theta(of: group.state)
        for r in Array(group.rows) + (group.reference.map { [$0] } ?? []) where !batch.rowOK[r] {
            throw batch.inputFinite[r] ? overflow() : fail("item \(r - group.rows.lowerBound) holds a non-finite value")
        }
        let context: PromptContext
        if let p = group.prompt {
            guard batch.contexts.indices.contains(p) else { throw fail("group \(index) prompt \(p) does not exist") }
            context = try batch.contexts[p].get()
        } else {
            context = try batch.bare!.get()
        }
        return (context, theta)
    }

    /// The one group of a single-request batch: encoded items, context, θ (any problem throws).
    func encodeSingle(_ batch: ScoringBatch) throws -> (Matrix, PromptContext, [Double]) {
        let encoded = try encodeBatch(batch)
        let (context, theta) = try resolve(batch.groups[0], index: 0, in: encoded)
        return (encoded.encoded, context, theta)
    }

    static func isFinite(_ context: PromptContext) -> Bool {
        (context.basis?.isFinite ?? true) && context.gram.allSatisfy { $0.isFinite } && context.offset.allSatisfy { $0.isFinite }
    }

    func overflow() -> RewardModelError {
        RewardModelError(.numericalRange, "feature values are too large: the head's Float32 activations overflow")
    }
}

/// The shared-head outputs of a batch plus what went wrong where (see `encodeBatch`).
struct EncodedBatch {
    let encoded: Matrix
    let inputFinite: [Bool]
    let rowOK: [Bool]
    let contexts: [Result<PromptContext, RewardModelError>]
    let bare: Result<PromptContext, RewardModelError>?
}
