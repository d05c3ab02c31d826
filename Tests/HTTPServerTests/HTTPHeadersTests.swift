import Testing
@testable import HTTPServer

struct HTTPHeadersTests {
    @Test func lookupIsCaseInsensitiveAndKeepsRepeats() {
        var h = HTTPHeaders()
        h.add("Content-Type", "application/json")
        h.add("Via", "a")
        h.add("via", "b")
        #expect(h["content-type"] == "application/json")
        #expect(h.values(for: "VIA") == ["a", "b"])
        h.replace("VIA", "c")
        #expect(h.values(for: "via") == ["c"])
        #expect(h.map(\.name) == ["Content-Type", "VIA"])
        h.replace("X-Request-Id", "r1")
        h.replace("content-type", "text/plain")
        #expect(h.map(\.name) == ["content-type", "VIA", "X-Request-Id"])
        #expect(h["CONTENT-TYPE"] == "text/plain")
        #expect(!h.contains("Content-Typ") && !h.contains("Content-Typee"))
    }

    @Test func requestSplitsPathAndQuery() {
        let r = Request(method: .get, target: "/v1/users/a?cursor=x&limit=2")
        #expect(r.path == "/v1/users/a")
        #expect(r.query == "cursor=x&limit=2")
        #expect(Request(method: .get, target: "/healthz").query == nil)
    }

    @Test func bufferedBodyEnforcesLimit() async throws {
        let body = RequestBody(bytes: Array("hello".utf8))
        #expect(try await body.collect(upTo: 5) == Array("hello".utf8))
        await #expect(throws: RequestBodyError.tooLarge(limit: 4)) { try await body.collect(upTo: 4) }
    }
}
