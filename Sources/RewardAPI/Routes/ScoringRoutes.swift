import HTTPServer
import RewardService

extension RewardApplication {
    static func score(_ app: RewardApplication, _ call: Call) async throws -> Response {
        if mediaType(call.request.headers["content-type"]) == "application/x-ndjson" {
            return app.ndjsonScore(call)
        }
        let query = try await app.scoreQuery(call)
        let result = try await app.service.score(query)
        app.metrics.itemsScored(query.items.count)
        // Room for the user summary as well, so the writer never regrows.
        var w = JSONWriter(capacity: 160 + 24 * result.scores.count)
        ResultEncoding.score(result, into: &w)
        return json(200, w)
    }

    static func rank(_ app: RewardApplication, _ call: Call) async throws -> Response {
        let query = try ScoringDTO.scoreQuery(try await app.requiredJSON(call), tenant: call.tenant)
        let result = try await app.service.rank(query)
        app.metrics.itemsScored(query.items.count)
        return json(200, ResultEncoding.rank(result))
    }

    static func compare(_ app: RewardApplication, _ call: Call) async throws -> Response {
        let body = try await app.requiredJSON(call)
        let query = try ScoringDTO.compareQuery(body, tenant: call.tenant)
        let result = try await app.service.compare(query)
        app.metrics.itemsScored(2 * query.pairs.count)
        let single: Bool
        if case .object(let o) = body { single = o["pairs"] == nil } else { single = true }
        return json(200, ResultEncoding.compare(result, single: single))
    }

    static func adaptStateless(_ app: RewardApplication, _ call: Call) async throws -> Response {
        let r = try ObjectReader(try await app.requiredJSON(call), at: "")
        try r.allowOnly(["head", "comparisons", "user_state", "label_noise", "prior"])
        let initial = try r.value("user_state").map { v throws(Problem) in try UserStateDTO.theta(v, at: r.path("user_state")) }
        let outcome = try await app.service.adaptStateless(
            head: try ScoringDTO.head(r), try UserDTO.submissions(r, allowID: false), initial: initial,
            settings: try UserDTO.settings(r))
        var w = JSONWriter()
        ResultEncoding.adapt(outcome, into: &w)
        return json(200, w)
    }

    static func embed(_ app: RewardApplication, _ call: Call) async throws -> Response {
        let r = try ObjectReader(try await app.requiredJSON(call), at: "")
        try r.allowOnly(["texts"])
        guard let elements = try r.array("texts", count: 1...4096) else { throw r.missing("texts") }
        var texts: [String] = []
        for e in elements {
            guard case .string(let s) = e.value, !s.isEmpty else {
                throw Problem.validation(pointer: e.pointer, "expected a non-empty string")
            }
            guard s.utf8.count <= ItemInput.maxTextBytes else {
                throw Problem.validation(pointer: e.pointer, "longer than \(ItemInput.maxTextBytes) bytes")
            }
            try ObjectReader.refuseNUL(s, at: e.pointer)
            texts.append(s)
        }
        let (vectors, model) = try await app.service.embed(texts)
        var w = JSONWriter(capacity: vectors.count * 384 * 12)
        w.objectStart()
        w.key("embeddings")
        w.arrayStart()
        for v in vectors { w.numbers(v) }
        w.arrayEnd()
        w.field("model", model)
        w.objectEnd()
        return json(200, w)
    }
}
