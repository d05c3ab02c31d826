import Foundation

/// A WordPiece vocabulary (`vocab.txt`: one token per line, the line number is the id).
///
/// Lookups compare UTF-8 bytes exactly (as the reference tokenizer does; Swift `String` equality
/// would treat canonically equivalent spellings as equal) and allocate nothing: the tokens live in
/// one byte buffer behind an open-addressing table.
public struct Vocabulary: Sendable {
    private let bytes: [UInt8]
    /// Token `i` occupies `bytes[starts[i] ..< starts[i + 1]]`.
    private let starts: [Int]
    /// Token ids by hash slot; -1 marks an empty slot.
    private let slots: [Int32]
    private let slotMask: Int

    public var count: Int { starts.count - 1 }

    /// Builds the table. A token listed twice keeps its last id, as the reference loader does.
    public init(tokens: [String]) throws {
        guard !tokens.isEmpty, tokens.count < Int(Int32.max) else {
            throw TextEncoderError(.badVocabulary, "the vocabulary is empty or too large")
        }
        var bytes = [UInt8]()
        var starts = [Int]()
        starts.reserveCapacity(tokens.count + 1)
        for token in tokens {
            starts.append(bytes.count)
            bytes.append(contentsOf: token.utf8)
        }
        starts.append(bytes.count)
        var capacity = 16
        while capacity < tokens.count * 2 { capacity <<= 1 }
        var slots = [Int32](repeating: -1, count: capacity)
        let mask = capacity - 1
        bytes.withUnsafeBufferPointer { all in
            for id in tokens.indices {
                let token = UnsafeBufferPointer(rebasing: all[starts[id] ..< starts[id + 1]])
                var slot = Int(truncatingIfNeeded: Vocabulary.hash(token, continuation: false)) & mask
                while slots[slot] >= 0 {
                    let other = Int(slots[slot])
                    if token.elementsEqual(all[starts[other] ..< starts[other + 1]]) { break }
                    slot = (slot + 1) & mask
                }
                slots[slot] = Int32(id)
            }
        }
        self.bytes = bytes
        self.starts = starts
        self.slots = slots
        self.slotMask = mask
    }

    /// Reads `vocab.txt`.
    public static func load(path: String) throws -> Vocabulary {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TextEncoderError(.missingFile, "cannot read \(path)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw TextEncoderError(.badVocabulary, "\(path) is not UTF-8")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return try Vocabulary(tokens: lines)
    }

    /// The id of `piece`, or of `"##" + piece` when `continuation` is set.
    public func id(of piece: UnsafeBufferPointer<UInt8>, continuation: Bool) -> Int32? {
        var slot = Int(truncatingIfNeeded: Vocabulary.hash(piece, continuation: continuation)) & slotMask
        return bytes.withUnsafeBufferPointer { all in
            while true {
                let id = slots[slot]
                if id < 0 { return nil }
                if matches(all[starts[Int(id)] ..< starts[Int(id) + 1]], piece, continuation: continuation) { return id }
                slot = (slot + 1) & slotMask
            }
        }
    }

    /// The id of a whole token (e.g. `"[CLS]"`).
    public func id(of token: String) -> Int32? {
        var token = token
        return token.withUTF8 { id(of: $0, continuation: false) }
    }

    /// The token with `id` (for debugging and tests).
    public func token(_ id: Int32) -> String {
        precondition(id >= 0 && Int(id) < count, "token id out of range")
        return String(decoding: bytes[starts[Int(id)] ..< starts[Int(id) + 1]], as: UTF8.self)
    }

    private func matches(_ stored: Slice<UnsafeBufferPointer<UInt8>>, _ piece: UnsafeBufferPointer<UInt8>, continuation: Bool) -> Bool {
        let prefix = continuation ? 2 : 0
        guard stored.count == piece.count + prefix else { return false }
        var i = stored.startIndex
        if continuation {
            guard stored[i] == UInt8(ascii: "#"), stored[i + 1] == UInt8(ascii: "#") else { return false }
            i += 2
        }
        for byte in piece {
            if stored[i] != byte { return false }
            i += 1
        }
        return true
    }

    /// FNV-1a over the token's bytes (with the `##` prefix folded in for continuations).
    private static func hash(_ piece: UnsafeBufferPointer<UInt8>, continuation: Bool) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        if continuation {
            h = (h ^ UInt64(UInt8(ascii: "#"))) &* 0x100_0000_01b3
            h = (h ^ UInt64(UInt8(ascii: "#"))) &* 0x100_0000_01b3
        }
        for byte in piece { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return h ^ (h >> 29)
    }
}
