import HTTPServer

extension RewardApplication {
    /// The tenant a tool's call acts for: the mapped project's tenant. Label Studio authenticates an ML
    /// backend with HTTP basic auth; when API keys are enforced, the password is an API key and its tenant
    /// must be the project's. (Wired to the key verifier of the API-keys work once it lands.)
    func integrationTenant(_ call: Call, target: IntegrationSettings.Target) async throws -> String {
        target.tenant
    }
}
