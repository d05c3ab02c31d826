/// Turns request items into feature vectors for one head: checks feature lengths, and embeds text
/// with the encoder (on the model worker, through an LRU cache keyed by the text).
struct FeatureResolver: Sendable {
    let encoder: (any TextEmbedder)?
    let cache: LRUCache<String, [Float]>
    let metrics: ServiceMetrics

    /// A slot of the request: the item and where it sits in the request body (for error pointers).
    struct Slot {
        var item: Item
        var pointer: String
        var dimension: Int
    }

    func resolve(_ slots: [Slot], head: ServedHead) async throws(ScoringError) -> [[Float]] {
        var out = [[Float]](repeating: [], count: slots.count)
        var pending: [(index: Int, text: String)] = []
        for (i, slot) in slots.enumerated() {
            switch slot.item {
            case .features(let f):
                guard f.count == slot.dimension else {
                    throw ScoringError(
                        .invalidInput, "expected \(slot.dimension) features for head \(head.name), got \(f.count)",
                        pointer: slot.pointer + "/features")
                }
                out[i] = f
            case .text(let t):
                guard let encoder else {
                    throw ScoringError(
                        .encoderMissing, "text items need the built-in encoder; start the service with --encoder DIR",
                        pointer: slot.pointer + "/text")
                }
                let backbone = head.head.config.backbone?.name
                guard backbone == encoder.modelName, encoder.dimension == slot.dimension else {
                    throw ScoringError(
                        .invalidInput,
                        "head \(head.name) reads \(backbone ?? "unnamed") features (\(slot.dimension)); the encoder is \(encoder.modelName) (\(encoder.dimension))",
                        pointer: slot.pointer + "/text")
                }
                pending.append((i, t))
            }
        }
        guard !pending.isEmpty else { return out }
        let vectors = try await embed(pending.map(\.text), on: head.exclusive)
        for (p, v) in zip(pending, vectors) { out[p.index] = v }
        return out
    }

    /// Embeddings for texts, from the cache where possible, the rest in one encoder batch.
    func embed(_ texts: [String], on queue: WorkerQueue) async throws(ScoringError) -> [[Float]] {
        guard let encoder else { throw ScoringError(.encoderMissing, "no text encoder is configured") }
        var out = texts.map { cache.get($0) }
        let missing = texts.indices.filter { out[$0] == nil }
        metrics.embeddingCacheHits.increment(by: Int64(texts.count - missing.count))
        metrics.embeddingCacheMisses.increment(by: Int64(missing.count))
        guard !missing.isEmpty else { return out.map { $0! } }
        let batch = missing.map { texts[$0] }
        let vectors = try await RequestTiming.measure(.compute) { () async throws(ScoringError) in
            try await queue.run(cost: batch.count) { try encoder.embeddings(for: batch) }
        }
        guard vectors.count == batch.count else { throw ScoringError(.internal, "the encoder returned \(vectors.count) vectors for \(batch.count) texts") }
        for (i, v) in zip(missing, vectors) {
            cache.set(texts[i], v)
            out[i] = v
        }
        return out.map { $0! }
    }
}
