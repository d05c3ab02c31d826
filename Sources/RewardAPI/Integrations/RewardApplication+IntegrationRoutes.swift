import HTTPServer
import RewardService

extension RewardApplication {
    /// Annotation-tool integrations (docs/INTEGRATIONS.md).
    static func addIntegrationRoutes(_ r: inout Router<Handler>) {
        let ls = labelStudioPrefix
        r.add(.get, ls + "/health", labelStudioHealth)
        r.add(.get, ls, labelStudioHealth)
        r.add(.post, ls + "/setup", logged(labelStudioSetup))
        r.add(.post, ls + "/predict", logged(labelStudioPredict))
        r.add(.post, ls + "/webhook", logged(labelStudioWebhook))
        r.add(.post, "/integrations/argilla/webhook", logged(argillaWebhook))
    }

    /// Paths cheap enough to answer on the event loop (no model, no database): Label Studio's health and
    /// setup calls must answer within 1 s and 3 s even while the model worker is saturated.
    public static let inlineIntegrationPaths: Set<Substring> = [
        "/integrations/label-studio/health", "/integrations/label-studio/setup", "/integrations/label-studio",
    ]

    /// A tool cannot show our error bodies to anyone who can fix them, so every refusal is also logged
    /// (warning, with the route and the reason) for the operator.
    static func logged(_ handler: @escaping Handler) -> Handler {
        { app, call in
            do {
                return try await handler(app, call)
            } catch {
                let problem = ErrorMapping.problem(for: error, retryAfter: app.configuration.retryAfterSeconds, logger: app.logger)
                if problem.status < 500 {
                    app.logger.warning("integration.rejected", metadata: [
                        "route": "\(call.template)", "http.status": "\(problem.status)", "reason": "\(problem.detail ?? problem.title)",
                        "pointer": "\(problem.errors.first?.pointer ?? "")",
                    ])
                }
                throw error
            }
        }
    }
}
