import HTTPServer

extension RewardApplication {
    static func makeRouter() -> Router<Endpoint> {
        var r = Router<Endpoint>()
        r.add(.post, "/v1/score", .requires(.score), score)
        r.add(.post, "/v1/compare", .requires(.score), compare)
        r.add(.post, "/v1/rank", .requires(.score), rank)
        r.add(.post, "/v1/adapt", .requires(.score), adaptStateless)
        r.add(.post, "/v1/embed", .requires(.score), embed)
        r.add(.get, "/v1/users/{user}", .requires(.write), getUser)
        r.add(.delete, "/v1/users/{user}", .requires(.write), deleteUser)
        r.add(.post, "/v1/users/{user}/comparisons", .requires(.write), appendComparisons)
        r.add(.get, "/v1/users/{user}/comparisons", .requires(.write), listComparisons)
        r.add(.put, "/v1/users/{user}/comparisons/{comparison}", .requires(.write), replaceComparison)
        r.add(.delete, "/v1/users/{user}/comparisons/{comparison}", .requires(.write), deleteComparison)
        r.add(.post, "/v1/users/{user}/adapt", .requires(.write), adaptUser)
        r.add(.post, "/v1/users/{user}/next-comparison", .requires(.score), nextComparison)
        r.add(.get, "/v1/users/{user}/stats", .requires(.write), userStats)
        r.add(.get, "/v1/heads", .requires(.score), listHeads)
        r.add(.get, "/v1/heads/{name}", .requires(.score), getHead)
        r.add(.post, "/v1/admin/heads:reload", .requires(.admin), reloadHeads)
        r.add(.get, "/healthz", .open, healthz)
        r.add(.get, "/readyz", .open, readyz)
        r.add(.get, "/info", .open, info)
        r.add(.get, "/metrics", .open, metricsText)
        r.add(.get, "/openapi.yaml", .open, openAPI)
        addIntegrationRoutes(&r)
        return r
    }
}

extension Router where Handler == RewardApplication.Endpoint {
    /// Every route states its access: `.open` or `.requires(scope)` (see `Scope` for which is which).
    mutating func add(_ method: HTTPMethod, _ template: String, _ access: RouteAccess, _ handler: @escaping RewardApplication.Handler) {
        add(method, template, RewardApplication.Endpoint(access: access, handler: handler))
    }
}
