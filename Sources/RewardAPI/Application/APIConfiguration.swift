import Metrics

/// Settings of the API layer (the transport has its own, the domain too).
public struct APIConfiguration: Sendable {
    /// Largest JSON body (413 past it). NDJSON bodies have no total limit, only `maxNDJSONLineBytes`.
    public var maxBodyBytes = 32 * 1024 * 1024
    public var maxNDJSONLineBytes = 8 * 1024 * 1024
    /// Most items of consecutive NDJSON lines merged into one scoring call.
    public var ndjsonBatchItems = 1024
    /// NDJSON line bytes (and lines) read but not yet answered; reading pauses past either.
    public var ndjsonWindowBytes = 4 * 1024 * 1024
    public var ndjsonWindowLines = 4096
    /// Origins allowed to call from a browser (`*` for any); empty disables CORS headers.
    public var corsAllowedOrigins: [String] = []
    /// Tenant of unauthenticated requests.
    public var defaultTenant = "default"
    /// API keys and tenants (nil: no auth at all, for in-process tools; `reward serve` always sets one).
    public var authenticator: KeyAuthenticator?
    /// Requests per second per API key (token bucket, per replica); nil: unlimited.
    public var rateLimitPerKey: Double?
    /// Seconds a client is told to wait after a 429/503.
    public var retryAfterSeconds = 1
    public var version = "0.1.0"
    /// False while the server drains (SIGTERM): `/readyz` answers 503.
    public var isAcceptingTraffic: @Sendable () -> Bool = { true }
    /// Label Studio and Argilla: project/dataset mappings and webhook secrets (docs/INTEGRATIONS.md).
    public var integrations = IntegrationSettings()
    /// Extra fields for `/info` (transport limits), rendered by the caller.
    public var transportInfo: [String: Int] = [:]
    /// Most API requests handled at once (429 past it; health, metrics and admin routes exempt); ≤ 0: no limit.
    public var maxInFlight = 1024
    /// Where the API's metrics go (the process-wide backend unless a test passes its own).
    public var metricsFactory: any MetricsFactory = MetricsSystem.factory
    /// Renders the Prometheus text exposition for `GET /metrics` (nil: the route says no backend is configured).
    public var metricsRenderer: (@Sendable () -> [UInt8])?

    public init() {}
}
