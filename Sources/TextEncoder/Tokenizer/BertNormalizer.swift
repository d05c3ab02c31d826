import Foundation

/// The uncased BERT normalizer: drop NUL, U+FFFD and control/format/private-use characters, map
/// whitespace to a space, put spaces around CJK ideographs, decompose (NFD), strip non-spacing
/// marks (Mn), then lowercase. Output is a scalar array ready for pre-tokenization.
enum BertNormalizer {
    static func normalize(_ text: Substring, into out: inout [Unicode.Scalar]) {
        out.removeAll(keepingCapacity: true)
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            normalizeASCII(text.utf8, into: &out)
            return
        }
        var cleaned = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            if s.value == 0 || s.value == 0xFFFD || CharacterClasses.isControl(s) { continue }
            if CharacterClasses.isWhitespace(s) {
                cleaned.append(" ")
            } else if CharacterClasses.isCJKIdeograph(s) {
                cleaned.append(" ")
                cleaned.append(s)
                cleaned.append(" ")
            } else {
                cleaned.append(s)
            }
        }
        // Foundation's NFD; the stdlib has no public normalization API.
        let decomposed = String(cleaned).decomposedStringWithCanonicalMapping
        for s in decomposed.unicodeScalars {
            if s.properties.generalCategory == .nonspacingMark { continue }
            if s.value < 0x80 {
                out.append(lowercasedASCII(s))
            } else if s.properties.changesWhenLowercased {
                out.append(contentsOf: s.properties.lowercaseMapping.unicodeScalars)
            } else {
                out.append(s)
            }
        }
    }

    /// The common case: nothing to decompose, strip or pad.
    private static func normalizeASCII(_ bytes: Substring.UTF8View, into out: inout [Unicode.Scalar]) {
        for byte in bytes {
            switch byte {
            case 0x09, 0x0A, 0x0D: out.append(" ")
            case 0..<0x20, 0x7F: continue
            default: out.append(lowercasedASCII(Unicode.Scalar(byte)))
            }
        }
    }

    @inline(__always)
    private static func lowercasedASCII(_ s: Unicode.Scalar) -> Unicode.Scalar {
        (0x41...0x5A).contains(s.value) ? Unicode.Scalar(UInt8(s.value) + 0x20) : s
    }
}
