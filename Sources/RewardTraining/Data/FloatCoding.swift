import Foundation

/// Little-endian IEEE-754 f32 vectors as base64 — the `features_b64` encoding of the HTTP API.
enum FloatCoding {
    static func base64(_ values: [Float]) -> String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(values.count * 4)
        for v in values {
            let bits = v.bitPattern.littleEndian
            withUnsafeBytes(of: bits) { bytes.append(contentsOf: $0) }
        }
        return Data(bytes).base64EncodedString()
    }

    static func decode(base64 text: String) -> [Float]? {
        guard let data = Data(base64Encoded: text), data.count % 4 == 0 else { return nil }
        return data.withUnsafeBytes { raw in
            (0..<data.count / 4).map { i in
                Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
            }
        }
    }

    /// Shortest round-tripping text for a Double (JSON numbers).
    static func json(_ x: Double) -> String {
        x.isFinite ? "\(x)" : "null"
    }
}
