import HTTPServer
import Testing
@testable import RewardAPI

struct RouterTests {
    private var router: Router<String> {
        var r = Router<String>()
        r.add(.post, "/v1/score", "score")
        r.add(.get, "/v1/users/{user}", "getUser")
        r.add(.delete, "/v1/users/{user}", "deleteUser")
        r.add(.put, "/v1/users/{user}/comparisons/{comparison}", "put")
        return r
    }

    @Test func matchesTemplatesAndDecodesParameters() {
        guard case .found(let h, let template, let params) = router.match(.put, "/v1/users/al%20ice/comparisons/c%2F1") else {
            Issue.record("no match")
            return
        }
        #expect(h == "put")
        #expect(template == "/v1/users/{user}/comparisons/{comparison}")
        #expect(params["user"] == "al ice")
        #expect(params["comparison"] == "c/1")
    }

    @Test func wrongMethodListsAllow() {
        guard case .methodNotAllowed(let allow) = router.match(.post, "/v1/users/bob") else {
            Issue.record("expected 405")
            return
        }
        #expect(Set(allow) == [.get, .delete, .head])
        #expect(router.methods(for: "/v1/users/bob").contains(.delete))
    }

    @Test func headUsesGetRoute() {
        guard case .found(let h, _, _) = router.match(.head, "/v1/users/bob") else { Issue.record("no match"); return }
        #expect(h == "getUser")
    }

    @Test func unknownAndMalformedPaths() {
        guard case .notFound = router.match(.get, "/v1/nope") else { Issue.record("expected 404"); return }
        guard case .notFound = router.match(.get, "/v1/users/bob/extra") else { Issue.record("expected 404"); return }
        guard case .badParameter("user") = router.match(.get, "/v1/users/%ff%fe") else { Issue.record("bad utf8"); return }
        guard case .badParameter("user") = router.match(.get, "/v1/users/%zz") else { Issue.record("bad escape"); return }
        guard case .badParameter("user") = router.match(.get, "/v1/users/") else { Issue.record("empty id"); return }
    }

    @Test func staticPathsKeepDeclarationOrder() {
        var r = Router<String>()
        r.add(.get, "/v1/users/{user}", "getUser")
        r.add(.get, "/v1/users/stats", "stats")  // shadowed: the parameter route came first
        r.add(.get, "/v1/heads", "heads")
        r.add(.get, "/v1/heads", "heads again")
        r.add(.post, "/v1/score", "score")
        guard case .found("getUser", _, let params) = r.match(.get, "/v1/users/stats") else { Issue.record("order"); return }
        #expect(params["user"] == "stats")
        guard case .found("heads", "/v1/heads", _) = r.match(.get, "/v1/heads") else { Issue.record("first static"); return }
        guard case .found("heads", _, _) = r.match(.head, "/v1/heads") else { Issue.record("HEAD"); return }
        guard case .found("score", _, _) = r.match(.post, "/v1/score") else { Issue.record("score"); return }
        guard case .methodNotAllowed(let allow) = r.match(.get, "/v1/score") else { Issue.record("405"); return }
        #expect(allow == [.post])
        guard case .notFound = r.match(.post, "/v1/score/") else { Issue.record("trailing slash"); return }
    }
}
