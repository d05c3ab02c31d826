import Foundation
import PreferenceStore
import RewardModel
import Tensors
import Testing
@testable import RewardService

/// Tiny score/compare/rank jobs are computed on the calling thread instead of the model worker:
/// same numbers, same errors, and heavy work still goes to the worker.
struct InlineComputeTests {
    typealias T = RewardServiceTests

    @Test func theBudgetSplitsCheapFromHeavyRequests() throws {
        let (service, _) = try T.service()
        defer { Task { await service.shutdown() } }
        let head = try service.catalog.head(nil)
        let perItem = head.head.multiplyAddsPerItem
        #expect(perItem > 0)
        let budget = service.configuration.inlineWorkBudget
        #expect(head.computesInline(items: 1, budget: budget))
        #expect(head.computesInline(items: budget / perItem, budget: budget))
        #expect(!head.computesInline(items: budget / perItem + 1, budget: budget))
        #expect(!head.computesInline(items: 1, budget: 0))
    }

    /// Every selector (population, inline state, stored user: cold, then fitted) and every route
    /// gives the same answer inline as on the worker.
    @Test func inlineResultsEqualWorkerResults() async throws {
        let (inline, _) = try T.service()
        let (worker, _) = try T.service(inlineWorkBudget: 0)
        defer { Task { await inline.shutdown(); await worker.shutdown() } }
        let items = (0..<3).map { Item.features(T.vector($0)) }
        let pairs = [CompareQuery.Pair(a: items[0], b: items[1]), CompareQuery.Pair(a: items[2], b: items[0])]
        let subs = (0..<6).map { i in
            ComparisonSubmission(id: "c\(i)", chosen: .features(T.vector(2 + 10 * i)), rejected: .features(T.vector(1 + 10 * i)))
        }
        let theta = (0..<T.k).map { Double($0) - 0.7 }
        var selectors: [UserSelector] = [.population, .inline(theta: theta), .stored(tenant: "default", id: "alice")]
        for round in 0..<2 {
            for user in selectors {
                let a = try await inline.score(ScoreQuery(user: user, items: items))
                let b = try await worker.score(ScoreQuery(user: user, items: items))
                #expect(a.scores == b.scores, "\(user)")
                #expect(a.user == b.user)
                let ra = try await inline.rank(ScoreQuery(user: user, items: items))
                let rb = try await worker.rank(ScoreQuery(user: user, items: items))
                #expect(ra.order == rb.order && ra.scores == rb.scores && ra.probability == rb.probability)
                let ca = try await inline.compare(CompareQuery(user: user, pairs: pairs))
                let cb = try await worker.compare(CompareQuery(user: user, pairs: pairs))
                #expect(ca.results.map(\.pA) == cb.results.map(\.pA) && ca.results.map(\.margin) == cb.results.map(\.margin))
            }
            if round == 0 {
                // Alice gets a fitted state in both services; the second round scores with it.
                _ = try await inline.appendComparisons(tenant: "default", user: "alice", head: nil, subs, adapt: true)
                _ = try await worker.appendComparisons(tenant: "default", user: "alice", head: nil, subs, adapt: true)
                selectors.append(.stored(tenant: "default", id: "bob"))  // never labelled: a cold start
            }
        }
        let fitted = try await inline.score(ScoreQuery(user: .stored(tenant: "default", id: "alice"), items: items))
        #expect(!fitted.user.coldStart && fitted.user.version == 1)
    }

    @Test func inlineErrorsEqualWorkerErrors() async throws {
        let (inline, _) = try T.service()
        let (worker, _) = try T.service(inlineWorkBudget: 0)
        defer { Task { await inline.shutdown(); await worker.shutdown() } }
        let bad = [ScoreQuery(items: [.features(T.vector(0)), .features([1, 2])]),
                   ScoreQuery(user: .inline(theta: [1]), items: [.features(T.vector(0))]),
                   ScoreQuery(items: [.features([Float](repeating: .infinity, count: T.d))])]
        for q in bad {
            var errors: [ScoringError] = []
            for service in [inline, worker] {
                do {
                    _ = try await service.score(q)
                    Issue.record("\(q) was accepted")
                } catch {
                    errors.append(error)
                }
            }
            #expect(errors.count == 2 && errors[0].code == errors[1].code && errors[0].pointer == errors[1].pointer
                    && errors[0].message == errors[1].message, "\(errors)")
        }
    }

    /// A tiny job never touches the worker (it still answers once the worker has stopped); a job
    /// over the budget does (and is refused then).
    @Test func heavyJobsStillGoToTheWorker() async throws {
        let (service, _) = try T.service()
        let head = try service.catalog.head(nil)
        let heavyCount = service.configuration.inlineWorkBudget / head.head.multiplyAddsPerItem + 1
        let light = ScoreQuery(items: [.features(T.vector(0))])
        let heavy = ScoreQuery(items: (0..<heavyCount).map { .features(T.vector($0)) })
        #expect(try await service.score(heavy).scores.count == heavyCount)
        await service.shutdown()
        #expect(try await service.score(light).scores.count == 1)
        await #expect { _ = try await service.score(heavy) } throws: { ($0 as? ScoringError)?.code == .unavailable }
    }
}
