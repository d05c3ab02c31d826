import Testing
@testable import RewardService

/// The mapping rules of docs/INTEGRATIONS.md ("Mapping rules"), checked without HTTP or a database.
struct LabelMappingTests {
    static let pair = LabelTask(tool: .labelStudio, project: "7", task: "101", prompt: "Which?",
                                shape: .pairwise(left: .init(id: "left", text: "kind"), right: .init(id: "right", text: "harsh")))
    static let four = LabelTask(tool: .argilla, project: "ds", task: "r1", shape: .ranking(
        ["a", "b", "c", "d"].map { LabelTask.Item(id: $0, text: "text \($0)") }))

    @Test func pairwiseSelectionIsOneComparison() throws {
        let left = try LabelMapping.comparisons(Self.pair, label: "501", answer: .chose("left"))
        #expect(left.map { [$0.chosen.text, $0.rejected.text] } == [["kind", "harsh"]])
        #expect(left[0].prompt == "Which?")
        // Flipping the choice keeps the id: an update replaces the earlier comparison.
        let right = try LabelMapping.comparisons(Self.pair, label: "501", answer: .chose("right"))
        #expect(right[0].id == left[0].id)
        #expect(right[0].chosen.text == "harsh")
        #expect(left[0].id == "label-studio:7:101:501:left~right")
    }

    @Test func rankingGivesEveryImpliedPairAndDropsTies() throws {
        let strict = try LabelMapping.comparisons(Self.four, label: "x", answer: .ranked([["c"], ["a"], ["d"], ["b"]]))
        #expect(strict.count == 6)
        #expect(Set(strict.map(\.id)).count == 6)
        #expect(strict.allSatisfy { $0.chosen.id != "b" && $0.rejected.id != "c" })
        let tied = try LabelMapping.comparisons(Self.four, label: "x", answer: .ranked([["c", "a"], ["d"], ["b"]]))
        #expect(tied.count == 5)
        #expect(!tied.contains { Set([$0.chosen.id, $0.rejected.id]) == ["a", "c"] })
        // Same pairs, same ids, whatever the order.
        #expect(Set(tied.map(\.id)).isSubset(of: Set(strict.map(\.id))))
        // Unranked items (a partial ranking) imply nothing about themselves.
        #expect(try LabelMapping.comparisons(Self.four, label: "x", answer: .ranked([["a"], ["b"]])).count == 1)
        #expect(LabelMapping.tiers(fromRanks: [("a", 2), ("b", 1), ("c", 2)]) == [["b"], ["a", "c"]])
    }

    @Test func labelSelectionOverManyItemsBeatsEachOther() throws {
        let c = try LabelMapping.comparisons(Self.four, label: "x", answer: .chose("b"))
        #expect(c.count == 3)
        #expect(c.allSatisfy { $0.chosen.id == "b" })
    }

    @Test func badAnswersAreClearErrors() {
        #expect(throws: ScoringError.self) { try LabelMapping.comparisons(Self.pair, label: "1", answer: .chose("middle")) }
        #expect(throws: ScoringError.self) { try LabelMapping.comparisons(Self.four, label: "1", answer: .ranked([["a"], ["z"]])) }
        #expect(throws: ScoringError.self) { try LabelMapping.comparisons(Self.four, label: "1", answer: .ranked([["a"], ["a"]])) }
        let empty = LabelTask(tool: .argilla, project: "p", task: "t", shape: .pairwise(left: .init(id: "a", text: ""), right: .init(id: "b", text: "x")))
        #expect(throws: ScoringError.self) { try LabelMapping.comparisons(empty, label: "1", answer: .chose("a")) }
    }

    @Test func idsEscapeTheirSeparators() {
        let odd = LabelTask(tool: .argilla, project: "a:b", task: "t~1", shape: .pairwise(left: .init(id: "x:y", text: "1"), right: .init(id: "z", text: "2")))
        let id = LabelMapping.clientID(odd, label: "l%", "z", "x:y")
        #expect(id == "argilla:a%3Ab:t%7E1:l%25:x%3Ay~z")
        #expect(LabelMapping.sourceKey(tool: .labelStudio, project: "7", label: "501") == "label-studio:7:501")
    }
}
