import Testing
@testable import RewardAPI

struct JSONParserTests {
    private func parse(_ s: String) throws -> JSONValue { try JSONParser.parse(Array(s.utf8)) }

    @Test func parsesNestedDocument() throws {
        let v = try parse(#"{"a": [1, 2.5, -3e2], "b": {"c": "x\"\u00e9\ud83d\ude00"}, "d": [true, null, "s"], "e": []}"#)
        guard case .object(let o) = v else { Issue.record("not an object"); return }
        guard case .numbers(let list) = o["a"], case .values(let a) = list.floats() else { Issue.record("a"); return }
        #expect(a == [1, 2.5, -300])
        guard case .object(let b) = o["b"], case .string(let c) = b["c"] else { Issue.record("b"); return }
        #expect(c == "x\"é😀")
        guard case .array(let d) = o["d"] else { Issue.record("d"); return }
        #expect(d.count == 3)
        guard case .array(let e) = o["e"] else { Issue.record("e"); return }
        #expect(e.isEmpty)
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":1,}", "[01]", "[1.]", "[.5]", "[1e]", "[-]", "NaN", "[Infinity]",
        "{\"a\":1 \"b\":2}", "\"\\x\"", "\"a\u{01}\"", "[1] x", "{\"a\":1,\"a\":2}", "\"\\ud800\"", "tru",
        "[1, \"a\" 2]", "{1:2}",
    ])
    func rejectsMalformed(_ text: String) {
        #expect(throws: JSONParseError.self) { try parse(text) }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test func boundsNestingDepth() throws {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONParseError.self) { try parse(deep) }
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        _ = try parse(ok)
    }

    @Test func mixedArrayFallsBackToGenericParsing() throws {
        guard case .array(let a) = try parse(#"[1, "a", 2]"#) else { Issue.record("not array"); return }
        #expect(a.count == 3)
    }

    @Test func reportsOutOfRangeFloatIndex() throws {
        guard case .numbers(let list) = try parse("[1, 2, 1e39, 4]") else { Issue.record("not numbers"); return }
        guard case .outOfRange(let index) = list.floats() else { Issue.record("expected out of range"); return }
        #expect(index == 2)
        guard case .values(let d) = list.doubles() else { Issue.record("doubles"); return }
        #expect(d[2] == 1e39)
    }

    /// The string scanner skips eight bytes at a time: quotes, escapes and control characters must
    /// be found at every offset within and across those blocks.
    @Test func stringSpecialsAreFoundAtEveryOffset() throws {
        func string(_ text: String) throws -> String? {
            if case .string(let s) = try JSONParser.parse(Array(text.utf8)) { return s }
            return nil
        }
        for p in 0..<20 {
            let pad = String(repeating: "a", count: p)
            #expect(try string("\"\(pad)\"") == pad)
            #expect(try string("\"\(pad)\\n\(pad)\"") == pad + "\n" + pad)
            #expect(throws: JSONParseError.self) { try JSONParser.parse(Array("\"\(pad)\u{01}\(pad)\"".utf8)) }
            #expect(try string("\"\(pad)é€\(pad)\"") == pad + "é€" + pad)
            // ASCII strings skip validation: a lone high byte anywhere must still be refused.
            let invalid = [UInt8(ascii: "\"")] + Array(pad.utf8) + [0xFF] + Array(pad.utf8) + [UInt8(ascii: "\"")]
            #expect(throws: JSONParseError.self) { try JSONParser.parse(invalid) }
        }
    }
}
