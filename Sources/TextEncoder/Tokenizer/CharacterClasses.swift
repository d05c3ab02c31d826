/// The character classes of the BERT normalizer and pre-tokenizer, as the reference (Hugging Face
/// `tokenizers`, `BertNormalizer` + `BertPreTokenizer`) defines them.
enum CharacterClasses {
    /// Tab, newline and CR count as whitespace; otherwise the Unicode White_Space property.
    static func isWhitespace(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x09, 0x0A, 0x0D, 0x20: return true
        case 0..<0x80: return false
        default: return s.properties.isWhitespace
        }
    }

    /// Cc, Cf and Co are dropped, except tab/newline/CR (whitespace). Unassigned code points (Cn)
    /// are kept, as the reference does.
    static func isControl(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x09, 0x0A, 0x0D: return false
        case 0..<0x20, 0x7F: return true
        case 0x20..<0x7F: return false
        default:
            switch s.properties.generalCategory {
            case .control, .format, .privateUse: return true
            default: return false
            }
        }
    }

    /// ASCII punctuation (which includes symbols like `$ + < = > ^ \` | ~`) and Unicode P*.
    static func isPunctuation(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E: return true
        case 0..<0x80: return false
        default:
            switch s.properties.generalCategory {
            case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
                 .initialPunctuation, .finalPunctuation, .otherPunctuation:
                return true
            default:
                return false
            }
        }
    }

    /// CJK ideographs, which get spaces around them so each becomes its own word. The ranges are
    /// the reference's, including its 0x2B920 lower bound for Extension E (original BERT: 0x2B820).
    static func isCJKIdeograph(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
             0x2B740...0x2B81F, 0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }
}
