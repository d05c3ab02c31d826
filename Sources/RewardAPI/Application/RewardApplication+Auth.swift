import HTTPServer

/// Keys, scopes and the per-key rate: decided before a handler runs, from the route's declared access.
extension RewardApplication {
    enum Admission {
        /// Run the handler; the principal is nil when auth is off.
        case admitted(Principal?)
        case denied(Response)
    }

    /// The verification entry point for other adapters (e.g. basic-auth integrations): nil when the key is
    /// unknown, revoked or malformed, or when no authenticator is configured.
    public func authenticate(bearer key: String) async -> Principal? {
        await configuration.authenticator?.authenticate(bearer: key)
    }

    func admit(_ request: Request, _ access: RouteAccess) async -> Admission {
        guard case .requires(let scope) = access, let authenticator = configuration.authenticator else { return .admitted(nil) }
        switch await authenticator.authenticate(authorization: request.headers["authorization"]) {
        case .disabled:
            return .admitted(nil)
        case .unavailable:
            return .denied(Self.keysUnavailable(retryAfter: configuration.retryAfterSeconds))
        case .rejected(let reason, let presented):
            return .denied(Self.unauthorized(reason, credentialsPresented: presented))
        case .authenticated(let principal):
            guard principal.has(scope) else {
                return .denied(Problem(status: 403, title: "Forbidden",
                                       detail: "this API key lacks the \"\(scope)\" scope this route requires").response())
            }
            if let wait = rateLimiter?.admit(principal.keyID) {
                var p = Problem(status: 429, title: "Too many requests",
                                detail: "this API key is limited to \(rateLimiter!.rate.formatted) requests per second")
                p.headers.add("Retry-After", String(wait))
                return .denied(p.response())
            }
            return .admitted(principal)
        }
    }

    /// 404/405/422 for paths no route matched, except that under /v1 a caller without a valid key gets 401
    /// first: the answer should not tell an anonymous prober which paths and methods exist.
    func unlessUnauthenticated(_ request: Request, _ response: Response) async -> Response {
        guard request.path.hasPrefix("/v1/"), let authenticator = configuration.authenticator else { return response }
        switch await authenticator.authenticate(authorization: request.headers["authorization"]) {
        case .rejected(let reason, let presented): return Self.unauthorized(reason, credentialsPresented: presented)
        case .unavailable: return Self.keysUnavailable(retryAfter: configuration.retryAfterSeconds)
        case .disabled, .authenticated: return response
        }
    }

    /// RFC 6750 §3: `WWW-Authenticate: Bearer`, with `error="invalid_token"` when a key was sent.
    static func unauthorized(_ reason: String, credentialsPresented: Bool) -> Response {
        var p = Problem(status: 401, title: "Unauthorized", detail: reason)
        p.headers.add("WWW-Authenticate", credentialsPresented ? #"Bearer realm="reward", error="invalid_token""# : #"Bearer realm="reward""#)
        return p.response()
    }

    static func keysUnavailable(retryAfter: Int) -> Response {
        var p = Problem(status: 503, title: "Service unavailable", detail: "API keys cannot be verified right now; retry shortly")
        p.headers.add("Retry-After", String(retryAfter))
        return p.response()
    }
}

extension Double {
    /// `5` rather than `5.0` for whole numbers.
    var formatted: String { self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self) }
}
