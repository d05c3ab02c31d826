import Testing

@testable import RewardAPI

/// NDJSON merges consecutive compatible lines into one scoring call: every answer line must be
/// what the same request gets from plain `POST /v1/score` (scores to float precision, errors exactly).
struct NDJSONScoringTests {
    let h: APITestHarness
    init() throws { h = try APITestHarness(kinds: [.palB, .gpm, .bt]) }

    @Test func mergedLinesAnswerLikeSingleRequests() async throws {
        let v = APITestHarness.vector
        var lines: [String] = []
        for i in 0..<40 { lines.append(#"{"items":[{"features":\#(v(i))}]}"#) }  // one run
        lines.append(#"{"items":[{"features":\#(v(1))},{"features":\#(v(2))},{"features":\#(v(3))}]}"#)
        lines.append(#"{"items":[{"features":[1,2]}]}"#)  // wrong dimension inside a run
        for i in 0..<5 { lines.append(#"{"user":"alice","items":[{"features":\#(v(i))}]}"#) }
        for i in 0..<5 { lines.append(#"{"user_state":{"theta":[0.5,-1,2]},"items":[{"features":\#(v(i))}]}"#) }
        lines.append(#"{"user_state":{"theta":[1]},"items":[{"features":\#(v(9))}]}"#)  // bad state size
        for i in 0..<3 { lines.append(#"{"head":"gpm","items":[{"features":\#(v(i))},{"features":\#(v(i + 1))}]}"#) }
        lines.append(#"{"head":"gpm","items":[{"features":\#(v(4))}]}"#)  // gpm needs 2 items
        for i in 0..<4 { lines.append(#"{"head":"bt","items":[{"features":\#(v(i))}]}"#) }
        lines.append(#"{"head":"nope","items":[{"features":\#(v(1))}]}"#)
        lines.append("not json")
        for i in 0..<3 { lines.append(#"{"items":[{"features":\#(v(i))}]}"#) }

        let stream = try await h.call(.post, "/v1/score", json: lines.joined(separator: "\n"), contentType: "application/x-ndjson")
        #expect(stream.status == 200)
        let answers = stream.text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(answers.count == lines.count)
        for (i, (line, answer)) in zip(lines, answers).enumerated() {
            let single = try await h.call(.post, "/v1/score", json: line)
            if single.status == 200 {
                #expect(try Self.scores(String(answer)) .isClose(to: try Self.scores(single.text)), "line \(i + 1)")
                #expect(Self.withoutScores(String(answer)) == Self.withoutScores(single.text), "line \(i + 1)")
            } else {
                #expect(answer == #"{"line":\#(i + 1),"error":\#(single.text)}"#, "line \(i + 1)")
            }
        }
    }

    static func scores(_ text: String) throws -> [Double] {
        guard case .object(let o) = try JSONParser.parse(Array(text.utf8)), let s = o["scores"]?.doubles else { return [] }
        return s
    }

    static func withoutScores(_ text: String) -> Substring {
        text[text.range(of: "],")!.upperBound...]
    }
}

extension [Double] {
    func isClose(to other: [Double]) -> Bool {
        count == other.count && !isEmpty && zip(self, other).allSatisfy { abs($0 - $1) <= 1e-5 * Swift.max(1, abs($1)) }
    }
}
