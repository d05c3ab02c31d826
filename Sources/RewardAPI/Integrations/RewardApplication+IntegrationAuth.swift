import HTTPServer

extension RewardApplication {
    /// The tenant a tool's call acts for: the mapped project's tenant. Label Studio authenticates an ML
    /// backend with HTTP basic auth; when API keys are enforced, the password is an API key and its tenant
    /// must be the project's (the route's declared scope was checked before the handler ran).
    func integrationTenant(_ call: Call, target: IntegrationSettings.Target) async throws -> String {
        guard let principal = call.principal, principal.tenant != target.tenant else { return target.tenant }
        throw Problem(status: 403, title: "Forbidden",
                      detail: "this API key belongs to tenant \"\(principal.tenant)\"; the project maps to tenant \"\(target.tenant)\"")
    }
}
