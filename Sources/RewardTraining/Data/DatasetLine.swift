import Foundation

/// One NDJSON line of a dataset, any kind (header, user, item, prompt, pair): every key optional,
/// unknown keys ignored. Decoded with JSONDecoder, which is several times faster than
/// JSONSerialization on Linux.
struct DatasetLine: Decodable {
    /// An item/prompt reference: a table id or inline features.
    enum Ref: Decodable {
        case id(Int)
        case base64(String)
        case values([Float])

        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let id = try? c.decode(Int.self) { self = .id(id); return }
            if let text = try? c.decode(String.self) { self = .base64(text); return }
            self = .values(try c.decode([Float].self))
        }

        /// Inline features, or nil for an id or undecodable base64.
        var features: [Float]? {
            switch self {
            case .id: nil
            case let .base64(text): FloatCoding.decode(base64: text)
            case let .values(v): v
            }
        }
    }

    /// Any scalar of the header's `source` map, kept as text.
    struct Text: Decodable {
        let value: String
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let s = try? c.decode(String.self) { value = s }
            else if let i = try? c.decode(Int.self) { value = "\(i)" }
            else if let d = try? c.decode(Double.self) { value = "\(d)" }
            else if let b = try? c.decode(Bool.self) { value = "\(b)" }
            else { value = "" }
        }
    }

    struct Truth: Decodable {
        var kind: String?
        var scale: Double?
        var prototypes: [[Double]]?
    }

    var format: String?
    var version: Int?
    var featureDim: Int?
    var promptDim: Int?
    var source: [String: Text]?
    var truth: Truth?
    var user: String?
    var seen: Bool?
    var theta: [Double]?
    var item: Int?
    var promptId: Int?
    var features: Ref?
    var split: String?
    var chosen: Ref?
    var rejected: Ref?
    var prompt: Ref?
    var margin: Double?
    var flipped: Bool?

    enum CodingKeys: String, CodingKey {
        case format, version, featureDim = "feature_dim", promptDim = "prompt_dim", source, truth, user, seen, theta, item
        case promptId = "prompt_id", features, split, chosen, rejected, prompt, margin, flipped
    }
}
