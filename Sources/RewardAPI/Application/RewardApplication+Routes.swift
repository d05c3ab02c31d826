import HTTPServer

extension RewardApplication {
    static func makeRouter() -> Router<Handler> {
        var r = Router<Handler>()
        r.add(.post, "/v1/score", score)
        r.add(.post, "/v1/compare", compare)
        r.add(.post, "/v1/rank", rank)
        r.add(.post, "/v1/adapt", adaptStateless)
        r.add(.post, "/v1/embed", embed)
        r.add(.get, "/v1/users/{user}", getUser)
        r.add(.delete, "/v1/users/{user}", deleteUser)
        r.add(.post, "/v1/users/{user}/comparisons", appendComparisons)
        r.add(.get, "/v1/users/{user}/comparisons", listComparisons)
        r.add(.put, "/v1/users/{user}/comparisons/{comparison}", replaceComparison)
        r.add(.delete, "/v1/users/{user}/comparisons/{comparison}", deleteComparison)
        r.add(.post, "/v1/users/{user}/adapt", adaptUser)
        r.add(.post, "/v1/users/{user}/next-comparison", nextComparison)
        r.add(.get, "/v1/users/{user}/stats", userStats)
        r.add(.get, "/v1/heads", listHeads)
        r.add(.get, "/v1/heads/{name}", getHead)
        r.add(.post, "/v1/admin/heads:reload", reloadHeads)
        r.add(.get, "/healthz", healthz)
        r.add(.get, "/readyz", readyz)
        r.add(.get, "/info", info)
        r.add(.get, "/metrics", metricsText)
        r.add(.get, "/openapi.yaml", openAPI)
        addIntegrationRoutes(&r)
        return r
    }
}
