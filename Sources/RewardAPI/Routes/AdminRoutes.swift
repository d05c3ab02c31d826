import HTTPServer
import Logging
import RewardService

extension RewardApplication {
    /// `POST /v1/admin/heads:reload`: every head loaded again from its directory and swapped in at
    /// once; a broken head keeps its previous version and the answer (500) names it and says why.
    static func reloadHeads(_ app: RewardApplication, _ call: Call) async throws -> Response {
        _ = try await call.request.body.collect(upTo: app.configuration.maxBodyBytes)  // keep-alive in sync
        let outcome = app.reloadHeads(logger: app.logger(for: call.request))
        guard outcome.succeeded else {
            let failures = outcome.failed.map { Problem.FieldError(pointer: "/heads/\($0.name)", message: $0.error ?? "") }
            throw Problem(
                status: 500, title: "Head reload failed",
                detail: outcome.failed.map { "head \($0.name) kept version \($0.version ?? "-"): \($0.error ?? "")" }.joined(separator: "; "),
                errors: failures)
        }
        var w = JSONWriter()
        w.objectStart()
        w.key("heads")
        w.arrayStart()
        for o in outcome.outcomes {
            w.objectStart()
            w.field("name", o.name)
            w.field("version", o.version ?? "")
            w.objectEnd()
        }
        w.arrayEnd()
        w.objectEnd()
        return json(200, w)
    }

    /// Reloads the heads (SIGHUP and the admin route) and logs what happened, head by head.
    public func reloadHeads(logger: Logger? = nil) -> HeadReload {
        let log = logger ?? self.logger
        let outcome = service.reloadHeads()
        (outcome.succeeded ? metrics.headReloads : metrics.failedHeadReloads).increment()
        for o in outcome.outcomes {
            if let error = o.error {
                log.error("head reload failed, previous version keeps serving",
                          metadata: ["head.name": "\(o.name)", "head.directory": "\(o.directory)",
                                     "head.version": "\(o.version ?? "-")", "error": "\(error)"])
            } else {
                log.info("head reloaded", metadata: ["head.name": "\(o.name)", "head.version": "\(o.version ?? "-")"])
            }
        }
        return outcome
    }
}
