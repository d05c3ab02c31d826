import Testing
@testable import RewardAPI

struct ItemInputTests {
    private func decode(_ json: String) throws(Problem) -> ItemInput {
        let value: JSONValue
        do { value = try JSONParser.parse(Array(json.utf8)) } catch { fatalError("fixture is not JSON: \(json)") }
        return try ItemInput.decode(value, at: "/items/3")
    }

    private func pointer(_ json: String) -> String? {
        do {
            _ = try decode(json)
            return nil
        } catch {
            return error.errors.first?.pointer
        }
    }

    @Test func decodesTheThreeForms() throws {
        #expect(try decode(#"{"features":[1,2.5]}"#) == .features([1, 2.5]))
        #expect(try decode(#"{"features_b64":"AACAPwAAAEA="}"#) == .features([1, 2]))
        #expect(try decode(#"{"text":"hello"}"#) == .text("hello"))
    }

    @Test func errorsPointAtTheBadField() {
        #expect(pointer(#"{"features":[1,"x"]}"#) == "/items/3/features/1")
        #expect(pointer(#"{"features":[1,1e39]}"#) == "/items/3/features/1")
        #expect(pointer(#"{"features":[]}"#) == "/items/3/features")
        #expect(pointer(#"{"features":"1,2"}"#) == "/items/3/features")
        #expect(pointer(#"{"features_b64":"AAA"}"#) == "/items/3/features_b64")
        #expect(pointer(#"{"features_b64":"AA*A"}"#) == "/items/3/features_b64")
        #expect(pointer(#"{"feature":[1]}"#) == "/items/3/feature")
        #expect(pointer(#"{}"#) == "/items/3")
        #expect(pointer(#"{"features":[1],"text":"a"}"#) == "/items/3")
        #expect(pointer(#"[1,2]"#) == "/items/3")
        #expect(pointer(#"{"text":""}"#) == "/items/3/text")
    }
}
