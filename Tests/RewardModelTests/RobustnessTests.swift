import Foundation
import Testing
import Tensors
@testable import RewardModel

/// Bad input throws a typed error; extreme but finite input never yields NaN or ±inf.
struct RobustnessTests {
    static func prompt(_ head: RewardHead) -> [Float]? {
        TestHeads.needsPrompt(head) ? [Float](repeating: 0.3, count: TestHeads.p) : nil
    }

    @Test(arguments: TestHeads.all)
    func extremeFeaturesGiveFiniteResultsOrARangeError(_ variant: String) throws {
        let head = try TestHeads.head(variant)
        let magnitudes: [Float] = [0, 1e-38, .leastNonzeroMagnitude, 1e-30, 1e6, 1e18, 3e38, .greatestFiniteMagnitude]
        for m in magnitudes {
            let items = Matrix(rows: 3, cols: TestHeads.d, values: (0..<3 * TestHeads.d).map { i in i % 3 == 0 ? m : (i % 3 == 1 ? -m : m / 2) })
            let state = head.kind.isPersonalized ? UserState(theta: [300, -300, 1e-300]) : nil
            do {
                if head.kind.hasScalarScore {
                    #expect(try head.score(prompt: Self.prompt(head), items: items, state: state).allSatisfy { $0.isFinite }, "\(variant) m=\(m)")
                }
                let pair = try head.compare(prompt: Self.prompt(head), a: Array(items.row(0)), b: Array(items.row(1)), state: state)
                #expect(pair.probability.isFinite && pair.margin.isFinite && (0...1).contains(pair.probability), "\(variant) m=\(m)")
                let rank = try head.rank(prompt: Self.prompt(head), items: items, state: state)
                #expect(rank.scores.allSatisfy { $0.isFinite } && (rank.logProbability?.isFinite ?? true), "\(variant) m=\(m)")
                if head.kind.isPersonalized {
                    let c = LabeledComparison(prompt: Self.prompt(head), chosen: Array(items.row(0)), rejected: Array(items.row(1)))
                    let r = try head.adapt([c, c], options: AdaptOptions(prior: 1, labelNoise: 0.1, maxIterations: 50))
                    #expect(r.state.theta.allSatisfy { $0.isFinite } && r.report.objective.isFinite, "\(variant) m=\(m)")
                }
            } catch let error as RewardModelError {
                #expect(error.code == .numericalRange, "\(variant) m=\(m): \(error)")
                #expect(m > 1e6, "\(variant) m=\(m) should not overflow: \(error)")
            }
        }
    }

    static func expectCode(_ code: RewardModelError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected \(code)", sourceLocation: sourceLocation)
        } catch let error as RewardModelError {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func invalidInputIsATypedError() throws {
        let pal = try TestHeads.head("pal-b")
        let bt = try TestHeads.head("bt")
        let gpm = try TestHeads.head("gpm-plain")
        let good = Matrix(rows: 2, cols: TestHeads.d, repeating: 0.5)
        let prompt = [Float](repeating: 0, count: TestHeads.p)
        Self.expectCode(.invalidInput) { _ = try pal.score(prompt: prompt, items: Matrix(rows: 2, cols: 3)) }
        Self.expectCode(.invalidInput) { _ = try pal.score(prompt: [1, 2], items: good) }
        Self.expectCode(.invalidInput) { _ = try pal.score(items: good) }   // this pal-b needs a prompt
        Self.expectCode(.unsupported) { _ = try gpm.score(prompt: prompt, items: good) }
        Self.expectCode(.unsupported) { _ = try bt.score(prompt: prompt, items: good) }
        Self.expectCode(.invalidInput) { _ = try pal.score(prompt: prompt, items: good, state: UserState(theta: [1, 2])) }
        Self.expectCode(.invalidInput) { _ = try pal.score(prompt: prompt, items: good, state: UserState(theta: [1, .nan, 2])) }
        Self.expectCode(.invalidInput) {
            _ = try pal.score(prompt: prompt, items: Matrix(rows: 1, cols: TestHeads.d, values: [Float](repeating: .infinity, count: TestHeads.d)))
        }
        Self.expectCode(.invalidInput) { _ = try gpm.score(items: Matrix(rows: 1, cols: TestHeads.d)) }
        Self.expectCode(.invalidInput) { _ = try pal.rank(prompt: prompt, items: Matrix(rows: 0, cols: TestHeads.d)) }
        Self.expectCode(.unsupported) { _ = try gpm.logProbability(ofOrder: [0, 1], items: good) }
        Self.expectCode(.invalidInput) { _ = try pal.logProbability(ofOrder: [0, 0], prompt: prompt, items: good) }
        let c = LabeledComparison(prompt: prompt, chosen: Array(good.row(0)), rejected: Array(good.row(1)))
        Self.expectCode(.unsupported) { _ = try bt.adapt([LabeledComparison(chosen: c.chosen, rejected: c.rejected)]) }
        Self.expectCode(.invalidInput) { _ = try pal.adapt([c], options: AdaptOptions(prior: 0)) }
        Self.expectCode(.invalidInput) { _ = try pal.adapt([c], options: AdaptOptions(labelNoise: 0.5)) }
        Self.expectCode(.invalidInput) { _ = try pal.adapt([c], options: AdaptOptions(prior: 1e300)) }
        Self.expectCode(.invalidInput) { _ = try pal.adapt([c], initial: UserState(theta: [1e300, 0, 0])) }
        Self.expectCode(.invalidInput) { _ = try pal.adapt([LabeledComparison(prompt: prompt, chosen: c.chosen, rejected: c.rejected, weight: 1e300)]) }
        Self.expectCode(.invalidInput) { _ = try pal.adapt([LabeledComparison(prompt: prompt, chosen: [1], rejected: c.rejected)]) }
        Self.expectCode(.invalidInput) { _ = try pal.adapt([LabeledComparison(prompt: prompt, chosen: c.chosen, rejected: c.rejected, weight: -1)]) }
        let foreign = try gpm.prepare([LabeledComparison(chosen: c.chosen, rejected: c.rejected)])
        Self.expectCode(.invalidInput) { _ = try pal.adapt(foreign) }
        let batch = ScoringBatch(items: good, groups: [.init(rows: 0..<3)])
        Self.expectCode(.invalidInput) { _ = try gpm.score(batch) }
        Self.expectCode(.invalidInput) { _ = try gpm.compare(ScoringBatch(items: good, groups: [.init(rows: 0..<1)])) }
    }

    /// One batch with several groups (different prompts and users) equals the requests one by one.
    @Test(arguments: TestHeads.all)
    func batchedEqualsSingle(_ variant: String) throws {
        let head = try TestHeads.head(variant)
        var g = SeededGenerator(seed: 9)
        let items = Oracle.gaussianItems(count: 10, dim: TestHeads.d, generator: &g)
        let usesPrompt = head.promptDim != nil
        let prompts = usesPrompt ? Oracle.gaussianItems(count: 2, dim: TestHeads.p, generator: &g) : nil
        let states: [UserState?] = head.kind.isPersonalized ? [nil, UserState(theta: [0.5, -1, 2])] : [nil, nil]
        let groups = [ScoringBatch.Group(rows: 0..<4, prompt: usesPrompt ? 0 : nil, state: states[0]),
                      ScoringBatch.Group(rows: 4..<10, prompt: usesPrompt ? 1 : nil, state: states[1])]
        let batch = ScoringBatch(items: items, prompts: prompts, groups: groups)
        let scores = try head.score(batch), pairs = try head.compare(batch), ranks = try head.rank(batch)
        for (index, group) in groups.enumerated() {
            let sub = items.slicing(rows: group.rows)
            let prompt = group.prompt.map { Array(prompts!.row($0)) }
            let single = try head.score(prompt: prompt, items: sub, state: group.state)
            for (x, y) in zip(single, scores[index]) { #expect(abs(x - y) < 1e-6) }
            #expect(try head.rank(prompt: prompt, items: sub, state: group.state).order == ranks[index].order)
            let first = try head.compare(prompt: prompt, a: Array(sub.row(0)), b: Array(sub.row(1)), state: group.state)
            #expect(abs(first.margin - pairs[index][0].margin) < 1e-6)
        }
    }

    /// In a coalesced batch, a group with a bad state, an overflowing item or a missing prompt fails
    /// alone; the other groups get exactly what they would get on their own.
    @Test(arguments: ["pal-b", "micro", "gpm-plain", "bt"])
    func oneBadGroupDoesNotFailTheOthers(_ variant: String) throws {
        let head = try TestHeads.head(variant)
        var g = SeededGenerator(seed: 12)
        var items = Oracle.gaussianItems(count: 8, dim: TestHeads.d, generator: &g)
        for c in 0..<TestHeads.d { items[4, c] = 3e38 }                   // overflows inside the head
        let usesPrompt = head.promptDim != nil
        let prompts = usesPrompt ? Oracle.gaussianItems(count: 1, dim: TestHeads.p, generator: &g) : nil
        let good = head.kind.isPersonalized ? UserState(theta: [0.1, 0.2, 0.3]) : nil
        let groups = [ScoringBatch.Group(rows: 0..<2, prompt: usesPrompt ? 0 : nil, state: good),
                      ScoringBatch.Group(rows: 2..<4, prompt: usesPrompt ? 0 : nil, state: UserState(theta: [1])),
                      ScoringBatch.Group(rows: 4..<6, prompt: usesPrompt ? 0 : nil, state: good),
                      ScoringBatch.Group(rows: 6..<8, prompt: usesPrompt ? 0 : nil, state: good)]
        let batch = ScoringBatch(items: items, prompts: prompts, groups: groups)
        let scores = try head.scoreEach(batch), pairs = try head.compareEach(batch), ranks = try head.rankEach(batch)
        for results in [scores.map { $0.map { _ in () } }, pairs.map { $0.map { _ in () } }, ranks.map { $0.map { _ in () } }] {
            #expect((try? results[0].get()) != nil && (try? results[3].get()) != nil)
            if head.kind.isPersonalized {
                #expect(throws: RewardModelError.self) { try results[1].get() }
            }
            #expect(throws: RewardModelError.self) { try results[2].get() }
        }
        let alone = try head.compare(prompt: prompts.map { Array($0.row(0)) }, a: Array(items.row(6)), b: Array(items.row(7)), state: good)
        #expect(try pairs[3].get()[0] == alone)
        #expect(throws: RewardModelError.self) { try head.score(batch) }
    }

    /// Duplicate prompt rows (coalesced requests with the same prompt) are computed once and give
    /// every group the answer it gets on its own.
    @Test(arguments: ["pal-b", "gpm", "micro"])
    func duplicatePromptsShareOneContext(_ variant: String) throws {
        let head = try TestHeads.head(variant)
        var g = SeededGenerator(seed: 14)
        let items = Oracle.gaussianItems(count: 6, dim: TestHeads.d, generator: &g)
        let p = TestHeads.vector(TestHeads.p, &g), q = TestHeads.vector(TestHeads.p, &g)
        let prompts = Matrix(rows: 3, cols: TestHeads.p, values: p + q + p)
        let state = UserState(theta: [0.4, -0.3, 1.1])
        let batch = ScoringBatch(items: items, prompts: prompts, groups: (0..<3).map {
            .init(rows: (2 * $0)..<(2 * $0 + 2), prompt: $0, state: state)
        })
        let scores = try head.score(batch)
        for (index, prompt) in [p, q, p].enumerated() {
            let alone = try head.score(prompt: prompt, items: items.slicing(rows: (2 * index)..<(2 * index + 2)), state: state)
            // Equal up to Float32 rounding (one row goes through sgemv, a batch through sgemm).
            for (x, y) in zip(alone, scores[index]) { #expect(abs(x - y) <= 1e-5 * (1 + abs(x))) }
        }
    }

    @Test func headDirectoryRoundTrip() throws {
        for variant in TestHeads.all {
            let head = try TestHeads.head(variant)
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("head-\(variant)-\(UUID())").path
            defer { try? FileManager.default.removeItem(atPath: dir) }
            try head.save(directory: dir)
            let back = try RewardHead.load(directory: dir)
            #expect(back.config == head.config)
            #expect(back.parameterCount == head.parameterCount)
            #expect(back.tensors().tensors == head.tensors().tensors)
        }
        Self.expectCode(.invalidHead) { _ = try RewardHead.load(directory: "/nonexistent") }
        let head = try TestHeads.head("micro")
        var file = head.tensors()
        file.tensors["score.weight"] = Tensor(shape: [2, 2], values: [1, 2, 3, 4])
        Self.expectCode(.invalidHead) { _ = try RewardHead(config: head.config, tensors: file) }
        file.tensors["score.weight"] = nil
        Self.expectCode(.invalidHead) { _ = try RewardHead(config: head.config, tensors: file) }
    }
}
