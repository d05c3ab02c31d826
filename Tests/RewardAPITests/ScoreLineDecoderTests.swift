import RewardService
import Testing

@testable import RewardAPI

/// The NDJSON fast path must take the common lines, and whatever it accepts must be exactly what
/// `JSONParser` + `ScoringDTO` make of the same line; everything else it leaves to them (nil).
struct ScoreLineDecoderTests {
    static let b64 = Base64Floats.encode([1, -2.5, 0.1, 3e-8])

    private func fast(_ line: String) -> ScoreQuery? {
        var decoder = ScoreLineDecoder(tenant: "t")
        return Array(line.utf8).withUnsafeBufferPointer { decoder.decode($0) }
    }

    private func generic(_ line: String) -> ScoreQuery? {
        try? ScoringDTO.scoreQuery(try JSONParser.parse(Array(line.utf8)), tenant: "t")
    }

    private func same(_ a: ScoreQuery, _ b: ScoreQuery) -> Bool {
        a.head == b.head && a.user == b.user && a.prompt == b.prompt && a.reference == b.reference
            && a.items.count == b.items.count
            && zip(a.items, b.items).allSatisfy { x, y in
                guard case .features(let f) = x, case .features(let g) = y else { return x == y }
                return f.map(\.bitPattern) == g.map(\.bitPattern)  // exact, -0 and 0 apart
            }
    }

    @Test func takesTheCommonShapesLikeTheGenericPath() throws {
        let lines = [
            #"{"head":"small","items":[{"features_b64":"\#(Self.b64)"}]}"#,
            #"{"items":[{"features_b64":"\#(Self.b64)"},{"features":[1,-0,0.5e-3,1E2,3.4028235e38]}]}"#,
            #" { "user" : "alice-1" , "head":"x", "items" : [ { "features" : [ 0.1 , -7 ] } ] } "#,
            "{\"items\":[{\"features\":[1,\t2]}],\t\"user\":\"~/a b\"}\r",
            #"{"items":[{"features":[123456789012345678901234567890,1e-45,16777217]}]}"#,
            #"{"items":[{"features_b64":"AACAPwAAAEA"}]}"#,  // no padding
        ]
        for line in lines {
            let f = try #require(fast(line), "\(line)")
            let g = try #require(generic(line), "\(line)")
            #expect(same(f, g), "\(line)")
        }
    }

    /// Lines the generic path rejects or treats specially: the fast path must not take them.
    @Test func leavesEverythingElseToTheGenericPath() {
        let lines = [
            "", "{}", "[]", "null", #"{"items":[]}"#, #"{"head":"x"}"#, #"{"items":[{}]}"#,
            #"{"items":[{"features":[]}]}"#, #"{"items":[{"features_b64":""}]}"#,
            #"{"items":[{"features_b64":"AAAA"}]}"#, #"{"items":[{"features_b64":"AA*A"}]}"#,
            #"{"items":[{"features_b64":"AACAfw=="}]}"#, #"{"items":[{"features_b64":"AACAPw\u003d\u003d"}]}"#,
            #"{"items":[{"features":[1e39]}]}"#, #"{"items":[{"features":[01]}]}"#, #"{"items":[{"features":[1.]}]}"#,
            #"{"items":[{"features":[.5]}]}"#, #"{"items":[{"features":[1e]}]}"#, #"{"items":[{"features":[-]}]}"#,
            #"{"items":[{"features":[1,]}]}"#, #"{"items":[{"features":[1 2]}]}"#, #"{"items":[{"features":[NaN]}]}"#,
            #"{"items":[{"features":[1],"text":"a"}]}"#, #"{"items":[{"text":"a"}]}"#, #"{"items":[{"features":null}]}"#,
            #"{"head":null,"items":[{"features":[1]}]}"#, #"{"head":"","items":[{"features":[1]}]}"#,
            #"{"head":"a","head":"b","items":[{"features":[1]}]}"#, #"{"user":"\u0041","items":[{"features":[1]}]}"#,
            #"{"user":"é","items":[{"features":[1]}]}"#, "{\"user\":\"a\u{7F}\",\"items\":[{\"features\":[1]}]}",
            #"{"user":"\#(String(repeating: "a", count: 257))","items":[{"features":[1]}]}"#,
            #"{"prompt":{"features":[1]},"items":[{"features":[1]}]}"#, #"{"user_state":{"theta":[1]},"items":[{"features":[1]}]}"#,
            #"{"items":[{"features":[1]}],"reference":{"features":[1]}}"#, #"{"items":[{"features":[1]}],}"#,
            #"{"items":[{"features":[1]}]} x"#, #"{"items":[{"features":[1]}]"#, #"{"items":[{"features":[1]},]}"#,
            #"{"itmes":[{"features":[1]}]}"#, #"{"items":{"features":[1]}}"#,
        ]
        for line in lines { #expect(fast(line) == nil, "\(line)") }
        // The item limit: 4,096 is fine, one more is the generic path's error.
        let item = #"{"features":[1]}"#
        #expect(fast(#"{"items":[\#(Array(repeating: item, count: 4096).joined(separator: ","))]}"#)?.items.count == 4096)
        #expect(fast(#"{"items":[\#(Array(repeating: item, count: 4097).joined(separator: ","))]}"#) == nil)
    }

    /// Random vectors in every text form a client may send: the fast path agrees bit for bit.
    @Test func randomVectorsAgreeBitForBit() throws {
        var rng = SplitMix64(seed: 7)
        var decoder = ScoreLineDecoder(tenant: "t")
        for n in 1 ... 200 {
            let v = (0 ..< n % 40 + 1).map { _ in Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()) & 0xBF7F_FFFF) }
            let forms = [
                "[" + v.map { "\($0)" }.joined(separator: ",") + "]",
                "[" + v.map { "\(Double($0))" }.joined(separator: ", ") + "]",
            ]
            var lines = forms.map { #"{"user":"u\#(n % 3)","items":[{"features":\#($0)}]}"# }
            lines.append(#"{"head":"h\#(n % 2)","items":[{"features_b64":"\#(Base64Floats.encode(v))"}]}"#)
            for line in lines {
                let f = try #require(Array(line.utf8).withUnsafeBufferPointer { decoder.decode($0) }, "\(line)")
                let g = try #require(generic(line))
                #expect(same(f, g), "\(line)")
                guard case .features(let floats) = f.items[0] else { continue }
                #expect(floats.map(\.bitPattern) == v.map(\.bitPattern))
            }
        }
    }
}
