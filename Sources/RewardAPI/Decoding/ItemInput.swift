/// One prompt or response as the client sent it: a feature vector (`features` or `features_b64`)
/// or raw text for the built-in encoder. Dimension checks need the head, so they happen later.
public enum ItemInput: Sendable, Equatable {
    case features([Float])
    case text(String)

    static let maxTextBytes = 100_000

    static func decode(_ value: JSONValue, at pointer: String) throws(Problem) -> ItemInput {
        let r = try ObjectReader(value, at: pointer)
        try r.allowOnly(["features", "features_b64", "text"])
        let present = ["features", "features_b64", "text"].filter { r.has($0) }
        guard present.count == 1 else {
            throw Problem.validation(
                pointer: pointer,
                present.isEmpty
                    ? "an item needs one of \"features\", \"features_b64\" or \"text\""
                    : "an item takes exactly one of \"features\", \"features_b64\" or \"text\"")
        }
        switch present[0] {
        case "features": return .features(try decodeFeatures(r.value("features")!, at: r.path("features")))
        case "features_b64":
            let text = try r.requiredString("features_b64", maxBytes: Int.max)
            let floats: [Float]
            do { floats = try Base64Floats.decode(text) } catch {
                throw Problem.validation(pointer: r.path("features_b64"), error.message)
            }
            guard !floats.isEmpty else { throw Problem.validation(pointer: r.path("features_b64"), "must not be empty") }
            return .features(floats)
        default:
            guard let text = try r.text("text", maxBytes: maxTextBytes) else { throw r.missing("text") }
            return .text(text)
        }
    }

    static func decodeFeatures(_ value: JSONValue, at pointer: String) throws(Problem) -> [Float] {
        switch value {
        case .numbers(let list):
            switch list.floats() {
            case .values(let v): return v
            case .outOfRange(let i): throw Problem.validation(pointer: pointer + "/\(i)", "number is outside the float32 range")
            }
        case .array(let a) where a.isEmpty:
            throw Problem.validation(pointer: pointer, "must not be empty")
        case .array(let a):
            let bad = a.firstIndex { if case .number = $0 { false } else { true } } ?? 0
            throw Problem.validation(pointer: pointer + "/\(bad)", "expected a number, got \(a[bad].kindDescription)")
        default:
            throw Problem.validation(pointer: pointer, "expected an array of numbers, got \(value.kindDescription)")
        }
    }
}

extension Base64Floats.Failure {
    var message: String {
        switch self {
        case .invalidCharacter(let offset): "not base64: invalid character at offset \(offset)"
        case .badLength: "not base64: bad length or padding"
        case .notFloat32(let n): "decodes to \(n) bytes, not a multiple of 4 (little-endian float32)"
        case .nonFinite(let i): "float \(i) is NaN or infinite"
        }
    }
}
