import Testing
@testable import RewardAPI

struct JSONWriterTests {
    @Test func writesNestedStructuresThatParseBack() throws {
        var w = JSONWriter()
        w.objectStart()
        w.field("name", "a\"b\\c\n\u{01}é")
        w.key("scores")
        w.numbers([Float(0.1), -2.5e-7, 3])
        w.key("nested")
        w.objectStart()
        w.field("ok", true)
        w.key("nothing")
        w.null()
        w.objectEnd()
        w.field("nan", Double.nan)
        w.objectEnd()
        let text = String(decoding: w.bytes, as: UTF8.self)
        #expect(text == #"{"name":"a\"b\\c\n\u0001é","scores":[0.1,-2.5e-07,3.0],"nested":{"ok":true,"nothing":null},"nan":null}"#)
        guard case .object(let o) = try JSONParser.parse(w.bytes), case .string(let s) = o["name"] else {
            Issue.record("did not parse back")
            return
        }
        #expect(s == "a\"b\\c\n\u{01}é")
    }

    @Test func problemRendersRFC9457() throws {
        let p = Problem.validation(pointer: "/items/3/features", "expected 384 numbers, got 3")
        let text = String(decoding: p.render(), as: UTF8.self)
        #expect(text.contains(#""status":422"#))
        #expect(text.contains(#""pointer":"/items/3/features""#))
        #expect(p.response().headers["content-type"] == "application/problem+json")
    }
}
