import Testing
@testable import RewardAPI
@testable import RewardService

/// Tool payloads of every wrong shape become 4xx problems, never crashes (the live replays are in EndToEndTests).
struct IntegrationPayloadTests {
    static let pairConfig = try! LabelStudioConfig.parse(#"<View><Pairwise name="pw" toName="a,b"/><Text name="a" value="$x"/><Text name="b" value="$y"/></View>"#)
    static let rankConfig = try! LabelStudioConfig.parse(#"<View><List name="l" value="$items"/><Ranker name="rank" toName="l"/></View>"#)

    static func json(_ s: String) -> JSONValue { try! JSONParser.parse(Array(s.utf8)) }

    @Test func labelStudioTasksOfTheWrongShapeAreProblems() {
        let bad = ["1", "null", "[]", #"{"id":1}"#, #"{"id":1,"data":[]}"#, #"{"id":1,"data":{"x":"a","y":3}}"#,
                   #"{"id":1,"data":{"x":"","y":"b"}}"#]
        for b in bad {
            #expect(throws: Problem.self, "\(b)") { try LabelStudioPayload.task(Self.json(b), config: Self.pairConfig, project: "7", pointer: "/task") }
        }
        let badLists = [#"{"data":{"items":"x"}}"#, #"{"data":{"items":[{"id":"a","body":"x"}]}}"#,
                        #"{"data":{"items":[{"id":"a","body":"x"},{"body":"y"}]}}"#, #"{"data":{"items":[{"id":"a","body":"x"},{"id":"b"}]}}"#]
        for b in badLists {
            #expect(throws: Problem.self, "\(b)") { try LabelStudioPayload.task(Self.json(b), config: Self.rankConfig, project: "9", pointer: "/task") }
        }
        let ok = try? LabelStudioPayload.task(Self.json(#"{"id":5,"data":{"items":[{"id":1,"title":"t"},{"id":"b","body":"x","title":"ignored"}]}}"#),
                                              config: Self.rankConfig, project: "9", pointer: "/task")
        #expect(ok?.items == [.init(id: "1", text: "t"), .init(id: "b", text: "x")])
    }

    @Test func labelStudioAnswers() throws {
        func answer(_ s: String, _ c: LabelStudioConfig = IntegrationPayloadTests.pairConfig) throws -> LabelAnswer? {
            try LabelStudioPayload.answer(Self.json(s), config: c, pointer: "/annotation/result")
        }
        #expect(try answer(#"[{"type":"pairwise","from_name":"pw","value":{"selected":"right"}}]"#) == .chose("right"))
        #expect(try answer(#"[{"type":"pairwise","from_name":"pw","value":{"selected":"none"}}]"#) == nil)
        #expect(try answer(#"[{"type":"choices","from_name":"other","value":{"choices":["x"]}}]"#) == nil)
        #expect(try answer("[]") == nil)
        #expect(throws: Problem.self) { try answer(#"[{"type":"pairwise","value":{"selected":"middle"}}]"#) }
        #expect(try answer(#"[{"type":"ranker","from_name":"rank","value":{"ranker":{"rank":["b","a"]}}}]"#, Self.rankConfig) == .ranked([["b"], ["a"]]))
        #expect(try answer(#"[{"type":"ranker","value":{"ranker":["b","a",3]}}]"#, Self.rankConfig) == .ranked([["b"], ["a"], ["3"]]))
        #expect(throws: Problem.self) { try answer(#"[{"type":"ranker","value":{"ranker":{"other":["a"]}}}]"#, Self.rankConfig) }
        #expect(throws: Problem.self) { try answer(#"[{"type":"ranker","value":{"ranker":[{"x":1}]}}]"#, Self.rankConfig) }
    }

    @Test func argillaResponsesOfTheWrongShapeAreProblems() {
        let bad = [#"{}"#, #"{"id":"r"}"#, #"{"id":"r","user":{"id":"u"}}"#, #"{"id":"r","user":{"id":"u"},"record":{"fields":{}}}"#,
                   #"{"id":"r","user":{"id":"u"},"record":{"fields":{"a":"x"},"dataset":{"id":"d","questions":[]}}}"#,
                   #"{"id":"r","user":{"id":"u"},"record":{"fields":{"a":"x","b":"y"},"dataset":{"id":"d","questions":[{"name":"q","settings":{"type":"ranking","options":[{"value":"a"},{"value":"b"}]}}]}},"values":{"q":{"value":"a"}}}"#]
        for b in bad {
            guard case .object(let o) = Self.json(b) else { Issue.record("fixture"); continue }
            #expect(throws: Problem.self, "\(b)") { try ArgillaPayload.response(o) }
        }
    }
}
