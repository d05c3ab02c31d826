import Tensors

extension RewardHead {
    /// Bounds that keep every objective finite: |θ_k|, a comparison's weight, the prior λ.
    public static let maxStateMagnitude = 1e6
    public static let maxComparisonWeight = 1e6
    public static let maxPrior = 1e9

    func fail(_ message: String) -> RewardModelError {
        RewardModelError(.invalidInput, message)
    }

    func validateItems(_ items: Matrix, name: String = "items") throws {
        guard items.cols == featureDim else {
            throw fail("\(name) have \(items.cols) features, head '\(kind.rawValue)' expects \(featureDim)")
        }
        if let bad = items.values.firstIndex(where: { !$0.isFinite }) {
            throw fail("\(name) row \(bad / max(items.cols, 1)) holds a non-finite value")
        }
    }

    func validatePrompts(_ prompts: Matrix?) throws {
        guard let prompts else { return }
        guard let promptDim else { throw RewardModelError(.unsupported, "this \(kind.rawValue) head takes no prompt") }
        guard prompts.cols == promptDim else {
            throw fail("prompt has \(prompts.cols) features, the head expects \(promptDim)")
        }
        if prompts.values.contains(where: { !$0.isFinite }) { throw fail("prompt holds a non-finite value") }
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

    /// Runs the shared head over every item of the batch and builds the prompt contexts.
    /// Returns the encoded items, the context per prompt row, and the prompt-free context if needed.
    func encode(_ batch: ScoringBatch) throws -> (Matrix, [PromptContext], PromptContext?) {
        try validateItems(batch.items)
        try validatePrompts(batch.prompts)
        for (index, group) in batch.groups.enumerated() {
            guard group.rows.lowerBound >= 0, group.rows.upperBound <= batch.items.rows else {
                throw fail("group \(index) rows \(group.rows) are outside the \(batch.items.rows) items")
            }
            if let p = group.prompt, !(0..<(batch.prompts?.rows ?? 0)).contains(p) {
                throw fail("group \(index) prompt \(p) does not exist")
            }
            if let r = group.reference, !(0..<batch.items.rows).contains(r) {
                throw fail("group \(index) reference \(r) does not exist")
            }
            _ = try theta(of: group.state)
        }
        let encoded = math.encode(batch.items)
        try checkFinite(encoded.values)
        let contexts = try batch.prompts.map { try math.contexts($0) } ?? []
        let bare = batch.groups.contains { $0.prompt == nil } ? try math.contexts(nil)[0] : nil
        for c in contexts + (bare.map { [$0] } ?? []) {
            try checkFinite(c.basis?.values ?? [])
            guard c.offset.allSatisfy({ $0.isFinite }) else { throw overflow() }
        }
        return (encoded, contexts, bare)
    }

    func checkFinite(_ values: [Float]) throws {
        if values.contains(where: { !$0.isFinite }) { throw overflow() }
    }

    func overflow() -> RewardModelError {
        RewardModelError(.numericalRange, "feature values are too large: the head's Float32 activations overflow")
    }
}
