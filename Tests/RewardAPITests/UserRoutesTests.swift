import Testing
@testable import RewardAPI

struct UserRoutesTests {
    let h: APITestHarness
    init() throws { h = try APITestHarness() }

    func comparison(_ id: String, _ i: Int) -> String {
        #"{"id":"\#(id)","chosen":{"features":\#(APITestHarness.vector(i))},"rejected":{"features":\#(APITestHarness.vector(i + 100))}}"#
    }

    @Test func appendIsIdempotentAndConflictsOnDifferentContent() async throws {
        let body = #"{"comparisons":[\#(comparison("a", 1)),\#(comparison("b", 2))]}"#
        let first = try await h.call(.post, "/v1/users/alice/comparisons", json: body)
        #expect(first.status == 201, "\(first.text)")
        #expect(first.object?["stored"]?.double == 2)
        let retry = try await h.call(.post, "/v1/users/alice/comparisons", json: body)
        #expect(retry.status == 200)
        #expect(retry.object?["stored"]?.double == 0)
        let conflict = try await h.call(.post, "/v1/users/alice/comparisons", json: #"{"comparisons":[\#(comparison("a", 5))]}"#)
        #expect(conflict.status == 409, "\(conflict.text)")
        let dup = try await h.call(.post, "/v1/users/alice/comparisons", json: #"{"comparisons":[\#(comparison("z", 5)),\#(comparison("z", 5))]}"#)
        #expect(dup.status == 422)
        #expect(dup.pointer == "/comparisons/1/id")
    }

    @Test func historyPagesWithCursor() async throws {
        let all = (0..<5).map { comparison("c\($0)", $0) }.joined(separator: ",")
        _ = try await h.call(.post, "/v1/users/bob/comparisons", json: #"{"comparisons":[\#(all)]}"#)
        var ids: [String] = []
        var cursor: String?
        repeat {
            let target = "/v1/users/bob/comparisons?limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
            let page = try await h.call(.get, target)
            #expect(page.status == 200, "\(page.text)")
            guard case .array(let rows)? = page.object?["comparisons"] else { Issue.record("no rows"); return }
            for case .object(let row) in rows { if case .string(let id)? = row["id"] { ids.append(id) } }
            if case .string(let c)? = page.object?["next_cursor"] { cursor = c } else { cursor = nil }
        } while cursor != nil
        #expect(ids == ["c0", "c1", "c2", "c3", "c4"])
        #expect(try await h.call(.get, "/v1/users/bob/comparisons?cursor=garbage").status == 422)
        #expect(try await h.call(.get, "/v1/users/bob/comparisons?limit=0").status == 422)
    }

    @Test func adaptUserThenGetThenDelete() async throws {
        let all = (0..<8).map { comparison("c\($0)", $0) }.joined(separator: ",")
        let appended = try await h.call(.post, "/v1/users/carol/comparisons", json: #"{"comparisons":[\#(all)],"adapt":true}"#)
        #expect(appended.status == 201)
        guard case .object(let fit)? = appended.object?["adapt"] else { Issue.record("no adapt: \(appended.text)"); return }
        #expect(fit["n"]?.double == 8)
        let adapted = try await h.call(.post, "/v1/users/carol/adapt", json: #"{"label_noise":0.1}"#)
        #expect(adapted.status == 200, "\(adapted.text)")
        #expect(adapted.object?["version"]?.double == 2)
        let user = try await h.call(.get, "/v1/users/carol")
        #expect(user.status == 200)
        #expect(user.object?["n_comparisons"]?.double == 8)
        let next = try await h.call(.post, "/v1/users/carol/next-comparison",
                                    json: #"{"candidates":[{"features":\#(APITestHarness.vector(1))},{"features":\#(APITestHarness.vector(2))},{"features":\#(APITestHarness.vector(3))}]}"#)
        #expect(next.status == 200, "\(next.text)")
        #expect(next.object?["a"]?.double != next.object?["b"]?.double)
        let put = try await h.call(.put, "/v1/users/carol/comparisons/c0", json: #"{"chosen":{"features":[1,2,3,4]},"rejected":{"features":[4,3,2,1]}}"#)
        #expect(put.status == 200, "\(put.text)")
        #expect(try await h.call(.delete, "/v1/users/carol/comparisons/c1").status == 204)
        #expect(try await h.call(.delete, "/v1/users/carol/comparisons/c1").status == 404)
        #expect(try await h.call(.delete, "/v1/users/carol").status == 204)
        #expect(try await h.call(.get, "/v1/users/carol").status == 404)
        #expect(try await h.call(.post, "/v1/users/carol/adapt").status == 404)
    }

    @Test func badUserIdsAreRejected() async throws {
        #expect(try await h.call(.get, "/v1/users/%ff").status == 422)
        let long = String(repeating: "x", count: 257)
        #expect(try await h.call(.get, "/v1/users/\(long)").status == 422)
    }

    /// PostgreSQL text cannot hold NUL: refused with a pointer before anything reaches the store.
    @Test func nulInStoredTextIsRefusedWithAPointer() async throws {
        let source = try await h.call(.post, "/v1/users/erin/comparisons",
                                      json: #"{"comparisons":[{"chosen":{"features":\#(APITestHarness.vector(1))},"rejected":{"features":\#(APITestHarness.vector(2))},"source":"tool\u0000"}]}"#)
        #expect(source.status == 422)
        #expect(source.pointer == "/comparisons/0/source", "\(source.text)")
        let text = try await h.call(.post, "/v1/users/erin/comparisons",
                                    json: #"{"comparisons":[{"chosen":{"text":"a\u0000b"},"rejected":{"text":"c"}}]}"#)
        #expect(text.status == 422)
        #expect(text.pointer == "/comparisons/0/chosen/text", "\(text.text)")
        #expect(text.text.contains("NUL"), "refused for the NUL, not for the missing encoder: \(text.text)")
        #expect(try await h.call(.get, "/v1/users/erin").status == 404, "nothing was stored")
    }

    /// openapi.yaml's maxItems for `candidates` is the model's own cap: one more is a 422 that
    /// points at the list, never a model error without a pointer.
    @Test func nextComparisonCandidatesAreCappedWhereTheContractSays() async throws {
        func body(_ n: Int) -> String {
            #"{"candidates":["# + (0..<n).map { #"{"features":\#(APITestHarness.vector($0))}"# }.joined(separator: ",") + "]}"
        }
        let atCap = try await h.call(.post, "/v1/users/dora/next-comparison", json: body(64))
        #expect(atCap.status == 200, "\(atCap.text)")
        let over = try await h.call(.post, "/v1/users/dora/next-comparison", json: body(65))
        #expect(over.status == 422)
        #expect(over.pointer == "/candidates", "\(over.text)")
    }
}
