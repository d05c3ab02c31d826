import HTTPServer
import RewardService

extension RewardApplication {
    /// Annotation-tool integrations (docs/INTEGRATIONS.md).
    /// Access: health and setup are open (no tenant data; Label Studio probes them before any key is
    /// configured); predict and webhook take an API key (basic auth, key as password) of the project's
    /// tenant when keys are enforced; Argilla's webhook is verified by its signature instead.
    static func addIntegrationRoutes(_ r: inout Router<Endpoint>) {
        let ls = labelStudioPrefix
        r.add(.get, ls + "/health", .open, labelStudioHealth)
        r.add(.get, ls, .open, labelStudioHealth)
        r.add(.post, ls + "/setup", .open, logged(labelStudioSetup))
        r.add(.post, ls + "/predict", .requires(.score), logged(labelStudioPredict))
        r.add(.post, ls + "/webhook", .requires(.write), logged(labelStudioWebhook))
        r.add(.post, "/integrations/argilla/webhook", .open, logged(argillaWebhook))
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
