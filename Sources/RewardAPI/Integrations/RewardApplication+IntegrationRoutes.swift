import HTTPServer

extension RewardApplication {
    /// Annotation-tool integrations (docs/INTEGRATIONS.md).
    static func addIntegrationRoutes(_ r: inout Router<Handler>) {
        let ls = labelStudioPrefix
        r.add(.get, ls + "/health", labelStudioHealth)
        r.add(.get, ls, labelStudioHealth)
        r.add(.post, ls + "/setup", labelStudioSetup)
        r.add(.post, ls + "/predict", labelStudioPredict)
        r.add(.post, ls + "/webhook", labelStudioWebhook)
        r.add(.post, "/integrations/argilla/webhook", argillaWebhook)
    }

    /// Paths cheap enough to answer on the event loop (no model, no database): Label Studio's health and
    /// setup calls must answer within 1 s and 3 s even while the model worker is saturated.
    public static let inlineIntegrationPaths: Set<Substring> = [
        "/integrations/label-studio/health", "/integrations/label-studio/setup", "/integrations/label-studio",
    ]
}
