import Foundation
import Testing
@testable import TextEncoder

/// The tokenizer against the reference (Hugging Face `tokenizers`, ids in
/// Fixtures/tokenizer_cases.json from Tools/reference/make_tokenizer_fixtures.py), plus rule tests
/// on a tiny vocabulary that need no model files.
struct WordPieceTokenizerTests {
    static func cases(_ group: String) -> [(String, [Int32])] {
        guard let all = try? EncoderFixtures.json("tokenizer_cases")["cases"] as? [[String: Any]] else { return [] }
        return all.filter { $0["group"] as? String == group }.map {
            ($0["text"] as! String, ($0["ids"] as! [Int]).map { Int32($0) })
        }
    }

    static let groups = ["accents", "cjk", "emoji", "punctuation", "long_words", "control", "special_tokens", "truncation", "random"]

    @Test(.enabled(if: EncoderFixtures.modelAvailable, "needs the model directory (make encoder)"), arguments: groups)
    func matchesReferenceTokenizer(_ group: String) throws {
        let tokenizer = try EncoderFixtures.tokenizer.get()
        let cases = Self.cases(group)
        #expect(cases.count >= 5, "fixture group \(group) is missing")
        for (text, expected) in cases {
            let got = tokenizer.encode(text)
            #expect(got == expected, "\(group): \(text.debugDescription)")
        }
    }

    @Test(.enabled(if: EncoderFixtures.modelAvailable, "needs the model directory (make encoder)"))
    func referenceSentencesHaveReferenceIDs() throws {
        let tokenizer = try EncoderFixtures.tokenizer.get()
        let reference = try EncoderFixtures.json("minilm_reference")
        let sentences = try #require(reference["sentences"] as? [String])
        let ids = try #require(reference["ids"] as? [[Int]])
        for (sentence, expected) in zip(sentences, ids) {
            #expect(tokenizer.encode(sentence) == expected.map { Int32($0) }, "\(sentence)")
        }
    }

    // MARK: rules on a tiny vocabulary

    static func tiny(maxTokens: Int = 256) throws -> WordPieceTokenizer {
        let tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un", "##aff", "##able", "unaff", "a", "##a",
                      ",", "!", "cafe", "日", "本", "x", "##x"]
        return try WordPieceTokenizer(vocabulary: Vocabulary(tokens: tokens), maxTokens: maxTokens)
    }

    @Test func greedyLongestMatchFirst() throws {
        let t = try Self.tiny()
        // "unaffable" → longest prefix "unaff", then "##able" (not "un" + "##aff" + "##able").
        #expect(t.encode("unaffable") == [2, 8, 7, 3])
        // A word with an unmatchable rest is a single [UNK], not a partial match.
        #expect(t.encode("unaffz") == [2, 1, 3])
    }

    @Test func accentsAreStrippedAndCaseFolded() throws {
        let t = try Self.tiny()
        #expect(t.encode("CAFÉ") == [2, 13, 3])
        #expect(t.encode("Cafe\u{0301}") == [2, 13, 3])
    }

    @Test func punctuationAndCJKAreSeparateWords() throws {
        let t = try Self.tiny()
        #expect(t.encode("a,a!") == [2, 9, 11, 9, 12, 3])
        #expect(t.encode("a日本a") == [2, 9, 14, 15, 9, 3])
    }

    @Test func controlCharactersAreDroppedAndWhitespaceSplits() throws {
        let t = try Self.tiny()
        #expect(t.encode("a\u{0}a\u{200B}a") == [2, 9, 10, 10, 3])
        #expect(t.encode("a\ta\na\r\na\u{00A0}a") == [2, 9, 9, 9, 9, 9, 3])
    }

    @Test func wordsOverOneHundredCharactersAreUnknown() throws {
        let t = try Self.tiny()
        #expect(t.encode(String(repeating: "x", count: 100)) == [2, 16] + [Int32](repeating: 17, count: 99) + [3])
        #expect(t.encode(String(repeating: "x", count: 101)) == [2, 1, 3])
    }

    @Test func truncatesFromTheRightKeepingSEP() throws {
        let t = try Self.tiny(maxTokens: 5)
        #expect(t.encode("a a a a a a") == [2, 9, 9, 9, 3])
        // A word cut in the middle keeps its leading pieces.
        #expect(t.encode("a xxxxx") == [2, 9, 16, 17, 3])
        let t256 = try Self.tiny()
        #expect(t256.encode(String(repeating: "a ", count: 1000)).count == 256)
        #expect(t256.encode(String(repeating: "a ", count: 254)).count == 256)
        #expect(t256.encode(String(repeating: "a ", count: 253)).count == 255)
    }

    @Test func literalSpecialTokensMapToTheirIDs() throws {
        let t = try Self.tiny()
        // Matched verbatim only: "[mask]" is ordinary text ("[", "mask", "]", all unknown here).
        #expect(t.encode("a[SEP]a [mask]") == [2, 9, 3, 9, 1, 1, 1, 3])
        #expect(t.encode("[MASK]") == [2, 4, 3])
    }

    @Test func emptyAndWhitespaceOnlyTextsAreCLSSEP() throws {
        let t = try Self.tiny()
        #expect(t.encode("") == [2, 3])
        #expect(t.encode(" \t\n ") == [2, 3])
    }

    @Test func vocabularyRejectsMissingSpecialTokens() throws {
        #expect(throws: TextEncoderError.self) {
            try WordPieceTokenizer(vocabulary: Vocabulary(tokens: ["[CLS]", "[SEP]", "a"]))
        }
    }

    @Test func vocabularyLookupIsByteExact() throws {
        let v = try Vocabulary(tokens: ["\u{00E9}", "e\u{0301}", "##b"])
        #expect(v.id(of: "\u{00E9}") == 0)
        #expect(v.id(of: "e\u{0301}") == 1)
        #expect(v.id(of: "b") == nil)
        var b = "b"
        #expect(b.withUTF8 { v.id(of: $0, continuation: true) } == 2)
    }
}
