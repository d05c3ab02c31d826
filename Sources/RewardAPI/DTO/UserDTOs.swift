import RewardService

enum UserDTO {
    static let maxComparisons = 4096

    static func submission(_ value: JSONValue, at pointer: String, allowID: Bool) throws(Problem) -> ComparisonSubmission {
        let r = try ObjectReader(value, at: pointer)
        try r.allowOnly(allowID ? ["id", "prompt", "chosen", "rejected", "weight", "source"] : ["prompt", "chosen", "rejected", "weight", "source"])
        let id = allowID ? try r.string("id") : nil
        if let id { try UserID.validate(id, pointer: r.path("id")) }
        guard let chosen = try ScoringDTO.item(r, "chosen") else { throw r.missing("chosen") }
        guard let rejected = try ScoringDTO.item(r, "rejected") else { throw r.missing("rejected") }
        let weight = try r.double("weight", openLower: 0) ?? 1
        if weight > 1000 { throw Problem.validation(pointer: r.path("weight"), "must be ≤ 1000") }
        return ComparisonSubmission(
            id: id, prompt: try ScoringDTO.item(r, "prompt"), chosen: chosen, rejected: rejected, weight: weight,
            source: try r.text("source"))
    }

    static func submissions(_ r: ObjectReader, allowID: Bool) throws(Problem) -> [ComparisonSubmission] {
        guard let elements = try r.array("comparisons", count: 1...maxComparisons) else { throw r.missing("comparisons") }
        var out: [ComparisonSubmission] = []
        var seen: Set<String> = []
        for e in elements {
            let s = try submission(e.value, at: e.pointer, allowID: allowID)
            if let id = s.id, !seen.insert(id).inserted {
                throw Problem.validation(pointer: e.pointer + "/id", "id \"\(id)\" appears twice in this request")
            }
            out.append(s)
        }
        return out
    }

    /// openapi.yaml's bound for `prior`: far past the point where θ is pinned to θ̄ (the model's own limit is 1e9).
    static let maxPrior = 1_000_000.0

    static func settings(_ r: ObjectReader) throws(Problem) -> AdaptSettings {
        let prior = try r.double("prior", openLower: 0)
        if let prior, prior > maxPrior { throw Problem.validation(pointer: r.path("prior"), "must be ≤ \(Int(maxPrior))") }
        return AdaptSettings(prior: prior, labelNoise: try r.double("label_noise", in: 0...0.5, openUpper: 0.5) ?? 0)
    }
}
