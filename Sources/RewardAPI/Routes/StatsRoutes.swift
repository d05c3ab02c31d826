import HTTPServer
import RewardService

extension RewardApplication {
    /// `GET /v1/users/{user}/stats`: prequential accuracy — for each label, did the prediction the service
    /// made just before storing it favour the chosen item? Over all labels and the latest `last` (default 50).
    static func userStats(_ app: RewardApplication, _ call: Call) async throws -> Response {
        let user = try userID(call)
        var window = 50
        if let l = query(call.request)["last"] {
            guard let v = Int(l), (1...10_000).contains(v) else { throw Problem.validation(pointer: "last", "last must be 1…10000") }
            window = v
        }
        let r = try await app.service.labelStats(tenant: call.tenant, user: user, head: try headParameter(call), window: window)
        var w = JSONWriter()
        w.objectStart()
        w.field("user", user)
        w.field("head", r.head)
        w.field("comparisons", r.comparisons)
        w.key("predictions")
        w.objectStart()
        w.field("n", r.stats.total)
        w.field("correct", r.stats.correct)
        w.key("accuracy")
        if r.stats.total > 0 { w.number(Double(r.stats.correct) / Double(r.stats.total)) } else { w.null() }
        w.key("mean_log_loss")
        if let l = r.stats.meanLogLoss { w.number(l) } else { w.null() }
        w.field("personalized", r.stats.personalized)
        w.objectEnd()
        w.key("recent")
        w.objectStart()
        w.field("window", window)
        w.field("n", r.stats.recentTotal)
        w.field("correct", r.stats.recentCorrect)
        w.key("accuracy")
        if r.stats.recentTotal > 0 { w.number(Double(r.stats.recentCorrect) / Double(r.stats.recentTotal)) } else { w.null() }
        w.objectEnd()
        w.objectEnd()
        return json(200, w)
    }
}
