import PreferenceStore
import Testing
@testable import RewardAPI

/// `GET /v1/users/{id}/stats`: a prediction is recorded before each new label is stored, without fitting
/// a state as a side effect.
struct PrequentialStatsTests {
    static func comparison(_ id: String, _ seed: Int) -> String {
        #"{"id":"\#(id)","chosen":{"features":\#(APITestHarness.vector(seed))},"rejected":{"features":\#(APITestHarness.vector(seed + 100))}}"#
    }

    @Test func labelsArePredictedBeforeTheyAreStored() async throws {
        let store = InMemoryPreferenceStore()
        let h = try APITestHarness(store: store)
        #expect(try await h.call(.get, "/v1/users/ann/stats").status == 404)
        for i in 0..<2 {
            let r = try await h.call(.post, "/v1/users/ann/comparisons", json: #"{"comparisons":[\#(Self.comparison("c\(i)", i))]}"#)
            #expect(r.status == 201)
        }
        // Appending without adapt stores no state (the predictions took the cold start).
        #expect(try await store.loadState(for: UserKey(tenant: "default", userID: "ann"), head: "pal-b") == nil)
        // A retry records nothing new; an adapt, then a third label, is predicted from the fitted state.
        _ = try await h.call(.post, "/v1/users/ann/comparisons", json: #"{"comparisons":[\#(Self.comparison("c1", 1))]}"#)
        #expect(try await h.call(.post, "/v1/users/ann/adapt").status == 200)
        _ = try await h.call(.post, "/v1/users/ann/comparisons", json: #"{"comparisons":[\#(Self.comparison("c2", 2))]}"#)
        let stats = try await h.call(.get, "/v1/users/ann/stats?last=1")
        #expect(stats.status == 200, "\(stats.text)")
        let predictions = try #require(stats.object?["predictions"].flatMap { if case .object(let o) = $0 { o } else { nil } })
        #expect(predictions["n"]?.double == 3)
        #expect(predictions["personalized"]?.double == 1)
        let recent = try #require(stats.object?["recent"].flatMap { if case .object(let o) = $0 { o } else { nil } })
        #expect(recent["n"]?.double == 1 && recent["window"]?.double == 1)
        #expect(try await h.call(.get, "/v1/users/ann/stats?last=0").status == 422)
        #expect(try await h.call(.get, "/v1/users/ann/stats?head=nope").status == 404)
    }
}
