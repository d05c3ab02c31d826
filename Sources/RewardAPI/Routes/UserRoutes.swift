import HTTPServer
import RewardService

extension RewardApplication {
    /// The `{user}` path parameter, validated like every id.
    static func userID(_ call: Call) throws(Problem) -> String {
        let id = call.parameters["user"] ?? ""
        try UserID.validate(id, pointer: "user")
        return id
    }

    /// `?head=` on user routes.
    static func headParameter(_ call: Call) throws(Problem) -> String? {
        guard let h = query(call.request)["head"] else { return nil }
        guard !h.isEmpty, h.utf8.count <= 256 else { throw Problem.validation(pointer: "head", "head names are 1 to 256 bytes") }
        return h
    }

    static func appendComparisons(_ app: RewardApplication, _ call: Call) async throws -> Response {
        let user = try userID(call)
        let r = try ObjectReader(try await app.requiredJSON(call), at: "")
        try r.allowOnly(["comparisons", "adapt", "head", "label_noise", "prior"])
        let head = try ScoringDTO.head(r) ?? headParameter(call)
        let outcome = try await app.service.appendComparisons(
            tenant: call.tenant, user: user, head: head, try UserDTO.submissions(r, allowID: true),
            adapt: try r.bool("adapt") ?? false, settings: try UserDTO.settings(r))
        var w = JSONWriter()
        w.objectStart()
        w.field("stored", outcome.stored)
        w.key("comparisons")
        w.arrayStart()
        for c in outcome.comparisons { ResultEncoding.comparison(c, features: false, into: &w) }
        w.arrayEnd()
        if let a = outcome.adapt {
            w.key("adapt")
            ResultEncoding.adapt(a, into: &w)
        }
        w.objectEnd()
        return json(outcome.stored > 0 ? 201 : 200, w)
    }

    static func listComparisons(_ app: RewardApplication, _ call: Call) async throws -> Response {
        let user = try userID(call)
        let q = query(call.request)
        var limit = 100
        if let l = q["limit"] {
            guard let v = Int(l), (1...1000).contains(v) else { throw Problem.validation(pointer: "limit", "limit must be 1…1000") }
            limit = v
        }
        let features = q["include_features"] == "true" || q["include_features"] == "1"
        let page = try await app.service.history(tenant: call.tenant, user: user, cursor: q["cursor"], limit: limit)
        var w = JSONWriter(capacity: 256 * page.comparisons.count + 64)
        w.objectStart()
        w.key("comparisons")
        w.arrayStart()
        for c in page.comparisons { ResultEncoding.comparison(c, features: features, into: &w) }
        w.arrayEnd()
        w.key("next_cursor")
        if let c = page.nextCursor { w.string(c) } else { w.null() }
        w.objectEnd()
        return json(200, w)
    }

    static func replaceComparison(_ app: RewardApplication, _ call: Call) async throws -> Response {
        let user = try userID(call)
        let id = call.parameters["comparison"] ?? ""
        try UserID.validate(id, pointer: "comparison")
        let submission = try UserDTO.submission(try await app.requiredJSON(call), at: "", allowID: false)
        let stored = try await app.service.replaceComparison(
            tenant: call.tenant, user: user, id: id, head: try headParameter(call), submission)
        var w = JSONWriter()
        ResultEncoding.comparison(stored, features: false, into: &w)
        return json(200, w)
    }

    static func deleteComparison(_ app: RewardApplication, _ call: Call) async throws -> Response {
        let user = try userID(call)
        let id = call.parameters["comparison"] ?? ""
        try UserID.validate(id, pointer: "comparison")
        try await app.service.deleteComparison(tenant: call.tenant, user: user, id: id)
        return Response(status: 204)
    }

    static func adaptUser(_ app: RewardApplication, _ call: Call) async throws -> Response {
        let user = try userID(call)
        var head = try headParameter(call)
        var settings = AdaptSettings()
        if let body = try await app.json(call, optional: true) {
            let r = try ObjectReader(body, at: "")
            try r.allowOnly(["head", "label_noise", "prior"])
            head = try ScoringDTO.head(r) ?? head
            settings = try UserDTO.settings(r)
        }
        let outcome = try await app.service.adapt(tenant: call.tenant, user: user, head: head, settings: settings)
        var w = JSONWriter()
        ResultEncoding.adapt(outcome, into: &w)
        return json(200, w)
    }

    static func nextComparison(_ app: RewardApplication, _ call: Call) async throws -> Response {
        let user = try userID(call)
        let q = try ScoringDTO.nextComparisonQuery(try await app.requiredJSON(call), tenant: call.tenant, user: user,
                                                   head: try headParameter(call))
        let r = try await app.service.nextComparison(q)
        var w = JSONWriter()
        w.objectStart()
        w.field("a", r.a)
        w.field("b", r.b)
        w.field("expected_gain", r.expectedGain)
        w.field("p_a", r.pA)
        w.field("head", r.head)
        ResultEncoding.user(&w, r.user)
        w.objectEnd()
        return json(200, w)
    }

    static func getUser(_ app: RewardApplication, _ call: Call) async throws -> Response {
        let user = try userID(call)
        let v = try await app.service.user(tenant: call.tenant, id: user, head: try headParameter(call))
        var w = JSONWriter()
        w.objectStart()
        w.field("id", v.id)
        w.field("head", v.head)
        w.key("state")
        w.objectStart()
        w.key("theta")
        w.numbers(v.theta)
        w.field("version", Int(v.version))
        w.objectEnd()
        w.field("cold_start", v.coldStart)
        w.field("n_comparisons", v.comparisons)
        w.key("updated_at")
        if let u = v.updatedAt { w.string(ResultEncoding.timestamp(u)) } else { w.null() }
        w.objectEnd()
        return json(200, w)
    }

    static func deleteUser(_ app: RewardApplication, _ call: Call) async throws -> Response {
        let user = try userID(call)
        try await app.service.deleteUser(tenant: call.tenant, id: user)
        return Response(status: 204)
    }
}
