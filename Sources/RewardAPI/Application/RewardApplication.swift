import HTTPServer
import Logging
import RewardService

/// The REST API as one `Responder`: CORS, routing, body decoding, the domain call, and the single
/// error → status mapping. It knows HTTP and JSON; the reward math and SQL live below it.
public struct RewardApplication: Responder {
    typealias Handler = @Sendable (RewardApplication, Call) async throws -> Response

    /// One routed request.
    struct Call: Sendable {
        var request: Request
        var parameters: RouteParameters
        var template: String
        var tenant: String
        /// The caller's key when auth is on.
        var principal: Principal?
    }

    /// A route: who may call it (declared in the router table) and what it does.
    struct Endpoint: Sendable {
        let access: RouteAccess
        let handler: Handler
    }

    let service: RewardService
    let configuration: APIConfiguration
    let logger: Logger
    let metrics: APIMetrics
    let admission: InFlightLimiter
    let router: Router<Endpoint>
    let rateLimiter: KeyRateLimiter?

    public init(service: RewardService, configuration: APIConfiguration = .init(), logger: Logger = Logger(label: "reward.api")) {
        self.service = service
        self.configuration = configuration
        self.logger = logger
        metrics = APIMetrics(factory: configuration.metricsFactory)
        admission = InFlightLimiter(limit: configuration.maxInFlight, metrics: metrics)
        router = Self.makeRouter()
        rateLimiter = configuration.rateLimitPerKey.map(KeyRateLimiter.init(requestsPerSecond:))
    }

    public func respond(to request: Request) async -> Response {
        let origin = request.headers["origin"]
        if request.method == .options {
            return cors(preflight(request), origin: origin)
        }
        let started = ContinuousClock.now
        let timing = RequestTiming(requestID: request.headers["x-request-id"])
        var permit: InFlightLimiter.Permit?
        var template = "unmatched"
        var response: Response
        switch router.match(request.method, request.path) {
        case .found(let endpoint, let t, let parameters):
            template = t
            switch await admit(request, endpoint.access) {
            case .denied(let denial):
                response = denial
            case .admitted(let principal):
                let call = Call(request: request, parameters: parameters, template: t,
                                tenant: principal?.tenant ?? configuration.defaultTenant, principal: principal)
                do {
                    permit = try admission.admit(template: t, retryAfter: configuration.retryAfterSeconds)
                    response = try await RequestTiming.$current.withValue(timing) { try await endpoint.handler(self, call) }
                } catch {
                    response = ErrorMapping.problem(for: error, retryAfter: configuration.retryAfterSeconds, logger: logger(for: request)).response()
                }
                // Who made the request, for the access log (the key's id, never its secret).
                if let principal { response.logFields += [("auth.key_id", principal.keyID), ("auth.tenant", principal.tenant)] }
            }
        case .methodNotAllowed(let allow):
            var p = Problem(status: 405, title: "Method not allowed", detail: "\(request.method) is not supported on this path")
            p.headers.add("Allow", allow.map(\.rawValue).joined(separator: ", "))
            response = await unlessUnauthenticated(request, p.response())
        case .badParameter(let name):
            response = await unlessUnauthenticated(
                request, Problem.validation(pointer: name, "path parameter \"\(name)\" is not valid percent-encoded UTF-8").response())
        case .notFound:
            response = await unlessUnauthenticated(request, Problem.notFound("no route for \(request.path)").response())
        }
        observe(&response, method: request.method, template: template, started: started, timing: timing, permit: permit)
        return cors(response, origin: origin)
    }

    // MARK: CORS

    /// OPTIONS: a CORS preflight gets the allowed methods and headers; a plain OPTIONS gets `Allow`.
    private func preflight(_ request: Request) -> Response {
        let methods = router.methods(for: request.path)
        guard !methods.isEmpty else { return Problem.notFound("no route for \(request.path)").response() }
        let allow = (methods + [.options]).map(\.rawValue).joined(separator: ", ")
        var headers: HTTPHeaders = ["Allow": allow]
        if request.headers["access-control-request-method"] != nil, allowedOrigin(request.headers["origin"]) != nil {
            headers.add("Access-Control-Allow-Methods", allow)
            headers.add("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Request-Id")
            headers.add("Access-Control-Max-Age", "600")
        }
        return Response(status: 204, headers: headers)
    }

    private func allowedOrigin(_ origin: String?) -> String? {
        guard let origin else { return nil }
        let allowed = configuration.corsAllowedOrigins
        if allowed.contains("*") { return "*" }
        return allowed.contains(origin) ? origin : nil
    }

    private func cors(_ response: Response, origin: String?) -> Response {
        guard let allow = allowedOrigin(origin) else { return response }
        var r = response
        r.headers.replace("Access-Control-Allow-Origin", allow)
        if allow != "*" { r.headers.add("Vary", "Origin") }
        r.headers.replace("Access-Control-Expose-Headers", "Retry-After, X-Request-Id, Allow")
        return r
    }
}
