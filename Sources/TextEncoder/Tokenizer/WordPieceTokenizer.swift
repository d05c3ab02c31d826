/// The BERT uncased WordPiece tokenizer, matching Hugging Face `tokenizers` (`BertNormalizer`,
/// `BertPreTokenizer`, `WordPiece`, `[CLS] … [SEP]` post-processing, truncation from the right).
///
/// Special tokens written literally in the text (`[SEP]`, `[MASK]`, …) become their ids, as in the
/// reference, which matches its added tokens in the raw text before normalizing.
public struct WordPieceTokenizer: Sendable {
    public let vocabulary: Vocabulary
    /// The longest encoding, `[CLS]` and `[SEP]` included; longer texts are cut from the right.
    public let maxTokens: Int
    /// Longer words become a single `[UNK]`.
    public static let maxCharactersPerWord = 100

    public let clsID: Int32
    public let sepID: Int32
    public let unknownID: Int32
    public let padID: Int32
    /// Tokens matched verbatim in the input text, with their ids.
    private let literalSpecials: [(utf8: [UInt8], id: Int32)]

    public init(vocabulary: Vocabulary, maxTokens: Int = 256) throws {
        precondition(maxTokens >= 2, "an encoding needs room for [CLS] and [SEP]")
        func required(_ token: String) throws -> Int32 {
            guard let id = vocabulary.id(of: token) else {
                throw TextEncoderError(.badVocabulary, "the vocabulary lacks \(token)")
            }
            return id
        }
        self.vocabulary = vocabulary
        self.maxTokens = maxTokens
        self.clsID = try required("[CLS]")
        self.sepID = try required("[SEP]")
        self.unknownID = try required("[UNK]")
        self.padID = try required("[PAD]")
        self.literalSpecials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"].compactMap { token in
            vocabulary.id(of: token).map { (Array(token.utf8), $0) }
        }
    }

    /// Token ids of `text`, `[CLS]` first and `[SEP]` last, at most `maxTokens` of them.
    public func encode(_ text: String) -> [Int32] {
        var scratch = Scratch()
        return encode(text, scratch: &scratch)
    }

    /// Reusable buffers, so a batch allocates them once.
    struct Scratch {
        var scalars: [Unicode.Scalar] = []
        var wordBytes: [UInt8] = []
        var boundaries: [Int] = []
    }

    func encode(_ text: String, scratch: inout Scratch) -> [Int32] {
        var ids: [Int32] = [clsID]
        let budget = maxTokens - 1
        forEachSegment(of: text) { segment in
            if ids.count >= budget { return }
            switch segment {
            case .special(let id):
                ids.append(id)
            case .text(let piece):
                BertNormalizer.normalize(piece, into: &scratch.scalars)
                appendWords(of: scratch.scalars, to: &ids, budget: budget, scratch: &scratch)
            }
        }
        if ids.count > budget { ids.removeSubrange(budget...) }
        ids.append(sepID)
        return ids
    }

    private enum Segment {
        case text(Substring)
        case special(Int32)
    }

    /// Splits `text` around literal special tokens.
    private func forEachSegment(of text: String, _ body: (Segment) -> Void) {
        let utf8 = text.utf8
        var segmentStart = utf8.startIndex
        var i = utf8.startIndex
        while i != utf8.endIndex {
            if utf8[i] == UInt8(ascii: "["), let (id, length) = special(at: i, in: utf8) {
                if segmentStart != i { body(.text(text[segmentStart..<i])) }
                body(.special(id))
                i = utf8.index(i, offsetBy: length)
                segmentStart = i
            } else {
                i = utf8.index(after: i)
            }
        }
        if segmentStart != utf8.endIndex { body(.text(text[segmentStart...])) }
    }

    private func special(at index: String.UTF8View.Index, in utf8: String.UTF8View) -> (Int32, Int)? {
        for (token, id) in literalSpecials where utf8[index...].starts(with: token) {
            return (id, token.count)
        }
        return nil
    }

    /// Pre-tokenizes (whitespace splits, each punctuation character is its own word) and appends
    /// the WordPiece ids of every word until the budget is exceeded.
    private func appendWords(of scalars: [Unicode.Scalar], to ids: inout [Int32], budget: Int, scratch: inout Scratch) {
        var wordStart = 0
        var i = 0
        while i <= scalars.count, ids.count <= budget {
            let atEnd = i == scalars.count
            let s = atEnd ? " " : scalars[i]
            let isSpace = CharacterClasses.isWhitespace(s)
            let isPunct = !isSpace && CharacterClasses.isPunctuation(s)
            if isSpace || isPunct {
                if wordStart < i {
                    appendWordPieces(scalars[wordStart..<i], to: &ids, scratch: &scratch)
                }
                if isPunct { appendWordPieces(scalars[i...i], to: &ids, scratch: &scratch) }
                wordStart = i + 1
            }
            i += 1
        }
    }

    /// Greedy longest-match-first WordPiece; a word with any unmatched rest is one `[UNK]`.
    private func appendWordPieces(_ word: ArraySlice<Unicode.Scalar>, to ids: inout [Int32], scratch: inout Scratch) {
        if word.count > Self.maxCharactersPerWord {
            ids.append(unknownID)
            return
        }
        scratch.wordBytes.removeAll(keepingCapacity: true)
        scratch.boundaries.removeAll(keepingCapacity: true)
        for s in word {
            scratch.boundaries.append(scratch.wordBytes.count)
            UTF8.encode(s) { scratch.wordBytes.append($0) }
        }
        scratch.boundaries.append(scratch.wordBytes.count)
        let mark = ids.count
        let n = word.count
        let matched: Bool = scratch.wordBytes.withUnsafeBufferPointer { bytes in
            var start = 0
            while start < n {
                var end = n
                var found: Int32?
                while end > start {
                    let piece = UnsafeBufferPointer(rebasing: bytes[scratch.boundaries[start] ..< scratch.boundaries[end]])
                    if let id = vocabulary.id(of: piece, continuation: start > 0) {
                        found = id
                        break
                    }
                    end -= 1
                }
                guard let id = found else { return false }
                ids.append(id)
                start = end
            }
            return true
        }
        if !matched {
            ids.removeSubrange(mark...)
            ids.append(unknownID)
        }
    }
}
