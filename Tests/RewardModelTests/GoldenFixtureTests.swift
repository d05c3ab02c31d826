import Foundation
import Testing
import Tensors
@testable import RewardModel

/// Swift against the independent numpy reference (Tools/reference): every kind loads its fixture
/// head directory (written by numpy, in F32, F16 or BF16) and matches score, compare, rank and adapt.
struct GoldenFixtureTests {
    static let cases = ["bt", "pal-b-prompt", "pal-b-residual", "pal-a-projected", "pal-a-linear", "gpm-prompt", "gpm-plain", "micro-router"]

    @Test(arguments: cases)
    func forwardMatchesReference(_ name: String) throws {
        let (head, expected) = try Fixture.load(name)
        let queries = expected["queries"] as! [[String: Any]]
        for query in queries {
            let items = Fixture.matrix(query["items"])
            let prompt = (query["prompt"] as? [Double])?.map { Float($0) }
            let state = (query["theta"] as? [Double]).map { UserState(theta: $0) }
            if head.kind == .gpm {
                let reference = (query["reference"] as! [Double]).map { Float($0) }
                Fixture.expectClose(try head.score(prompt: prompt, items: items, state: state, reference: reference),
                                    query["scores_vs_reference"], "\(name) scores vs reference")
            }
            Fixture.expectClose(try head.score(prompt: prompt, items: items, state: state), query["scores"], "\(name) scores")

            let pairs = query["pairs"] as! [[Int]]
            var margins: [Double] = [], probabilities: [Double] = []
            for pair in pairs {
                let r = try head.compare(prompt: prompt, a: Array(items.row(pair[0])), b: Array(items.row(pair[1])), state: state)
                margins.append(r.margin)
                probabilities.append(r.probability)
            }
            Fixture.expectClose(margins, query["margins"], "\(name) margins")
            Fixture.expectClose(probabilities, query["probabilities"], "\(name) probabilities")

            let rank = try head.rank(prompt: prompt, items: items, state: state)
            let expectedRank = query["rank"] as! [String: Any]
            #expect(rank.order == expectedRank["order"] as! [Int], "\(name) rank order")
            Fixture.expectClose(rank.scores, expectedRank["scores"], "\(name) rank scores")
            if let logP = expectedRank["log_probability"] as? Double {
                Fixture.expectClose([try #require(rank.logProbability)], [logP], "\(name) PL log-probability")
            } else {
                #expect(rank.logProbability == nil)
            }
        }
    }

    @Test(arguments: cases.filter { $0 != "bt" })
    func adaptMatchesReference(_ name: String) throws {
        let (head, expected) = try Fixture.load(name)
        let adapt = expected["adapt"] as! [String: Any]
        let comparisons = (adapt["comparisons"] as! [[String: Any]]).map { c in
            LabeledComparison(prompt: (c["prompt"] as? [Double])?.map { Float($0) },
                              chosen: (c["chosen"] as! [Double]).map { Float($0) },
                              rejected: (c["rejected"] as! [Double]).map { Float($0) },
                              weight: c["weight"] as! Double)
        }
        let prepared = try head.prepare(comparisons)
        Fixture.expectClose(head.populationState, adapt["anchor"], "\(name) population state")
        for fit in adapt["fits"] as! [[String: Any]] {
            let options = AdaptOptions(prior: fit["prior"] as! Double, labelNoise: fit["label_noise"] as! Double)
            // The objective itself, value and gradient, at random points.
            for probe in fit["probes"] as! [[String: Any]] {
                let (value, gradient) = try head.objective(prepared, theta: probe["theta"] as! [Double], options: options)
                Fixture.expectClose([value], [probe["objective"] as! Double], "\(name) objective at probe")
                Fixture.expectClose(gradient, probe["gradient"], "\(name) gradient at probe", absolute: 1e-4)
            }
            // Both optimisers start from θ̄: same objective value, both at a stationary point.
            let result = try head.adapt(prepared, options: options)
            #expect(result.report.converged, "\(name) adapt converged")
            #expect(result.report.gradientNorm <= 1e-6, "\(name) gradient norm \(result.report.gradientNorm)")
            Fixture.expectClose([result.report.objective], [fit["objective"] as! Double], "\(name) objective at solution")
            let atReference = try head.objective(prepared, theta: fit["theta"] as! [Double], options: options)
            #expect(atReference.gradient.map { $0 * $0 }.reduce(0, +).squareRoot() <= 1e-3, "\(name) reference solution is stationary for Swift too")
            #expect(result.state.precision?.count == head.stateDim * head.stateDim)
        }
    }

    @Test func seenUsersAndPopulationState() throws {
        let (head, _) = try Fixture.load("pal-b-residual")
        #expect(Set(head.seenUsers.keys) == ["alice", "bob"])
        let alice = head.seenUsers["alice"]!, bob = head.seenUsers["bob"]!
        for k in 0..<head.stateDim {
            #expect(abs(head.populationState[k] - (alice[k] + bob[k]) / 2) < 1e-2)
        }
    }
}

enum Fixture {
    static func directory(_ name: String) -> String {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent(name).path
    }

    static func load(_ name: String) throws -> (RewardHead, [String: Any]) {
        let dir = directory(name)
        let head = try RewardHead.load(directory: dir)
        let data = try Data(contentsOf: URL(fileURLWithPath: dir).appendingPathComponent("expected.json"))
        return (head, try JSONSerialization.jsonObject(with: data) as! [String: Any])
    }

    static func matrix(_ value: Any?) -> Matrix {
        let rows = (value as! [[Double]]).map { $0.map { Float($0) } }
        return Matrix(rowArrays: rows, cols: rows[0].count)!
    }

    /// atol 1e-5 + rtol 1e-4 (the bar).
    static func expectClose(_ actual: [Double], _ expected: Any?, _ what: String, absolute: Double = 1e-5,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        let expected = expected as! [Double]
        #expect(actual.count == expected.count, "\(what): count", sourceLocation: sourceLocation)
        for (a, e) in zip(actual, expected) {
            #expect(abs(a - e) <= absolute + 1e-4 * abs(e), "\(what): \(a) vs \(e)", sourceLocation: sourceLocation)
        }
    }
}
