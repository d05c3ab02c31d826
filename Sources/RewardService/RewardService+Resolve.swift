import PreferenceStore
import RewardModel

extension RewardService {
    struct ResolvedItems {
        var job: ItemsJob
        var summary: UserSummary
    }

    /// A score/rank request's features (+ gpm reference) and user state as one batch job.
    func resolveItems(_ q: ScoreQuery, head: ServedHead) async throws(ScoringError) -> ResolvedItems {
        guard !q.items.isEmpty else { throw ScoringError(.invalidInput, "items must not be empty", pointer: "/items") }
        guard q.items.count <= configuration.maxItemsPerRequest else {
            throw ScoringError(.invalidInput, "at most \(configuration.maxItemsPerRequest) items per request", pointer: "/items")
        }
        if q.reference != nil && head.head.kind != .gpm {
            throw ScoringError(.invalidInput, "\"reference\" applies to gpm heads only", pointer: "/reference")
        }
        let (theta, summary) = try await state(for: q.user, head: head)
        let d = head.head.featureDim
        var slots = q.items.enumerated().map { FeatureResolver.Slot(item: $1, pointer: "/items/\($0)", dimension: d) }
        if let r = q.reference { slots.append(.init(item: r, pointer: "/reference", dimension: d)) }
        var vectors = try await features.resolve(slots, head: head)
        let reference = q.reference == nil ? nil : vectors.removeLast()
        let prompt = try await resolvePrompts([(q.prompt, "/prompt")], head: head)[0]
        // One allocation of the final size (`flatMap` grows by doubling: a copy of the features per step).
        var rows: [Float] = []
        rows.reserveCapacity(vectors.count * d)
        for v in vectors { rows += v }
        let job = ItemsJob(items: rows, count: vectors.count, prompt: prompt, state: theta, reference: reference)
        return ResolvedItems(job: job, summary: summary)
    }

    /// Prompt features, checked against the head: a head without a prompt input rejects one, and a
    /// head that needs one rejects its absence (pointing where it belongs).
    func resolvePrompts(_ prompts: [(Item?, String)], head: ServedHead) async throws(ScoringError) -> [[Float]?] {
        if head.head.requiresPrompt, let missing = prompts.first(where: { $0.0 == nil }) {
            throw ScoringError(.invalidInput, "head \(head.name) needs a prompt", pointer: missing.1)
        }
        let present = prompts.enumerated().filter { $0.element.0 != nil }
        guard !present.isEmpty else { return prompts.map { _ in nil } }
        guard let dim = head.head.promptDim else {
            throw ScoringError(.invalidInput, "head \(head.name) takes no prompt", pointer: present[0].element.1)
        }
        let slots = present.map { FeatureResolver.Slot(item: $0.element.0!, pointer: $0.element.1, dimension: dim) }
        let vectors = try await features.resolve(slots, head: head)
        var out = [[Float]?](repeating: nil, count: prompts.count)
        for (p, v) in zip(present, vectors) { out[p.offset] = v }
        return out
    }

    /// The user state to apply and what to report about it.
    func state(for user: UserSelector, head: ServedHead) async throws(ScoringError) -> (ModelUserState?, UserSummary) {
        switch user {
        case .population:
            return (nil, UserSummary(id: nil, version: 0, coldStart: true))
        case .inline(let theta):
            guard theta.count == head.head.stateDim else {
                throw ScoringError(.invalidInput, "user_state.theta needs \(head.head.stateDim) numbers for head \(head.name), got \(theta.count)",
                                   pointer: "/user_state/theta")
            }
            return (ModelUserState(theta: theta), UserSummary(id: nil, version: 0, coldStart: false))
        case let .stored(tenant, id):
            let s = try await users.resolve(tenant: tenant, user: id, head: head)
            let state = head.head.kind.isPersonalized ? ModelUserState(theta: s.theta, precision: s.precision) : nil
            return (state, UserSummary(id: id, version: s.version, coldStart: s.coldStart))
        }
    }

    func submit<I, O>(_ batcher: Batcher<I, O>, _ input: I, cost: Int) async throws(ScoringError) -> O {
        do {
            return try await RequestTiming.measure(.compute) { try await batcher.submit(input, cost: cost) }
        } catch {
            let e = ScoringError(error)
            if e.code == .overloaded { metrics.overloadRejections.increment() }
            throw e
        }
    }
}
