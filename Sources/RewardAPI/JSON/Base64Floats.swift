import CBase64

/// `features_b64`: standard base64 (RFC 4648 §4, padding optional) of little-endian float32 values.
enum Base64Floats {
    enum Failure: Error, Equatable {
        case invalidCharacter(offset: Int)
        case badLength
        /// The decoded byte count is not a multiple of 4.
        case notFloat32(byteCount: Int)
        case nonFinite(index: Int)
    }

    private static let table: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            t[Int(c)] = UInt8(i)
        }
        return t
    }()

    /// Four lookup tables (one per position in a 4-character group), 256 entries each, giving that
    /// character's bits already placed in the 3 output bytes (little-endian UInt32); bit 31 marks a
    /// character outside the alphabet. A group decodes with 4 loads, 3 ORs and one 4-byte store.
    private static let groupTables: [UInt32] = {
        var t = [UInt32](repeating: 0x8000_0000, count: 4 * 256)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            let v = UInt32(i), k = Int(c)
            t[k] = v << 2
            t[256 + k] = v >> 4 | (v & 0x0F) << 12
            t[512 + k] = (v >> 2) << 8 | (v & 3) << 22
            t[768 + k] = v << 16
        }
        return t
    }()

    /// Two tables indexed by two characters at once (first | second << 8): characters 0–1 and 2–3 of a
    /// group, already placed as in `groupTables`; bit 31 marks a pair with a character outside the
    /// alphabet. Eight characters (two groups) decode with one 8-byte load, 4 lookups and one store.
    /// 2 × 256 KiB, of which only the 64 × 64 valid pairs (≈ 24 KiB of cache lines each) are touched.
    private static let pairTables: [UInt32] = {
        var t = [UInt32](repeating: 0x8000_0000, count: 2 * 65536)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        for (i, a) in alphabet.enumerated() {
            for (j, b) in alphabet.enumerated() {
                let v = UInt32(i), w = UInt32(j), k = Int(a) | Int(b) << 8
                t[k] = v << 2 | w >> 4 | (w & 0x0F) << 12
                t[65536 + k] = (v >> 2) << 8 | (v & 3) << 22 | w << 16
            }
        }
        return t
    }()

    private static func firstBad(_ s: UnsafeBufferPointer<UInt8>, _ from: Int, _ t: UnsafeBufferPointer<UInt8>) -> Int {
        var i = from
        while i < s.count, t[Int(s[i])] != 0xFF { i += 1 }
        return i
    }

    static func decode(_ text: String) throws(Failure) -> [Float] {
        var text = text
        return try text.withUTF8 { s in decode(s) }.get()
    }

    /// Decodes base64 text given as bytes (the NDJSON line decoder passes a range of the line).
    static func decode(_ s: UnsafeBufferPointer<UInt8>) -> Result<[Float], Failure> {
        table.withUnsafeBufferPointer { t in
            groupTables.withUnsafeBufferPointer { g in pairTables.withUnsafeBufferPointer { pairs in decodeFloats(s, t, g, pairs) } }
        }
    }

    /// Decodes straight into the float array (no intermediate byte array): this runs once per
    /// item on the NDJSON and JSON hot paths.
    private static func decodeFloats(
        _ s: UnsafeBufferPointer<UInt8>, _ t: UnsafeBufferPointer<UInt8>, _ g: UnsafeBufferPointer<UInt32>,
        _ pairs: UnsafeBufferPointer<UInt32>
    ) -> Result<[Float], Failure> {
        var n = s.count
        while n > 0, s[n - 1] == UInt8(ascii: "=") { n -= 1 }
        guard s.count - n <= 2, n % 4 != 1, s.count % 4 == 0 || s.count == n else { return .failure(.badLength) }
        let byteCount = n / 4 * 3 + max(0, n % 4 - 1)
        guard byteCount % 4 == 0 else {
            let bad = firstBad(s, 0, t)
            return .failure(bad < n ? .invalidCharacter(offset: bad) : .notFloat32(byteCount: byteCount))
        }
        var failure: Failure?
        let floats = [Float](unsafeUninitializedCapacity: byteCount / 4) { buffer, count in
            let out = UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: UInt8.self)
            // Whole 32-character blocks with AVX2 when the CPU has it (CBase64); the loops below take the
            // rest, including any block with a bad character, which they then report.
            var i = s.baseAddress.map { CBase64_decodeBlocks($0, n, out, byteCount) } ?? 0
            var o = i / 4 * 3
            let raw = UnsafeMutableRawPointer(out)
            // Two groups at a time while two spare output bytes follow; a bad character stops this
            // loop and the group loops below find it.
            if n >= 8, let base = s.baseAddress {
                let src = UnsafeRawPointer(base)
                while i + 8 <= n && o + 8 <= byteCount {
                    let x = UInt64(littleEndian: src.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                    let w0 = pairs[Int(x & 0xFFFF)] | pairs[65536 + Int(x >> 16 & 0xFFFF)]
                    let w1 = pairs[Int(x >> 32 & 0xFFFF)] | pairs[65536 + Int(x >> 48)]
                    if (w0 | w1) & 0x8000_0000 != 0 { break }
                    raw.storeBytes(of: (UInt64(w0) | UInt64(w1) << 24).littleEndian, toByteOffset: o, as: UInt64.self)
                    i += 8
                    o += 6
                }
            }
            // Whole groups with a 4-byte store while a spare output byte follows (all but the last).
            while i + 4 <= n && o + 4 <= byteCount {
                let w = g[Int(s[i])] | g[256 + Int(s[i + 1])] | g[512 + Int(s[i + 2])] | g[768 + Int(s[i + 3])]
                if w & 0x8000_0000 != 0 { break }
                raw.storeBytes(of: w.littleEndian, toByteOffset: o, as: UInt32.self)
                i += 4
                o += 3
            }
            while i + 4 <= n {
                let a = t[Int(s[i])], b = t[Int(s[i + 1])], c = t[Int(s[i + 2])], d = t[Int(s[i + 3])]
                if (a | b | c | d) & 0xC0 != 0 { break }
                out[o] = a << 2 | b >> 4
                out[o + 1] = b << 4 | c >> 2
                out[o + 2] = c << 6 | d
                i += 4
                o += 3
            }
            if i + 4 <= n {
                failure = .invalidCharacter(offset: firstBad(s, i, t))
                count = 0
                return
            }
            let rest = n - i
            if rest >= 2 {
                let a = t[Int(s[i])], b = t[Int(s[i + 1])]
                let c = rest == 3 ? t[Int(s[i + 2])] : 0
                if (a | b | c) & 0xC0 != 0 {
                    failure = .invalidCharacter(offset: firstBad(s, i, t))
                    count = 0
                    return
                }
                out[o] = a << 2 | b >> 4
                if rest == 3 { out[o + 1] = b << 4 | c >> 2 }
            }
            count = byteCount / 4
        }
        if let failure { return .failure(failure) }
        var result = floats
        #if _endian(big)
        for k in result.indices { result[k] = Float(bitPattern: UInt32(littleEndian: result[k].bitPattern)) }
        #endif
        // Branch-free check first (vectorizes); the index only when something is not finite.
        var overflow: UInt32 = 0  // bit 31 set by any all-ones exponent (NaN, ±inf)
        for f in result { overflow |= (f.bitPattern & 0x7F80_0000) &+ 0x0080_0000 }
        if overflow & 0x8000_0000 != 0, let bad = result.firstIndex(where: { !$0.isFinite }) { return .failure(.nonFinite(index: bad)) }
        return .success(result)
    }

    static func encode(_ floats: [Float]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out = [UInt8]()
        floats.withUnsafeBytes { raw in
            let b = Array(raw)
            out.reserveCapacity((b.count + 2) / 3 * 4)
            var i = 0
            while i + 3 <= b.count {
                let v = UInt32(b[i]) << 16 | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2])
                for shift in [18, 12, 6, 0] { out.append(alphabet[Int(v >> UInt32(shift) & 63)]) }
                i += 3
            }
            let rest = b.count - i
            if rest > 0 {
                let v = UInt32(b[i]) << 16 | (rest == 2 ? UInt32(b[i + 1]) << 8 : 0)
                out.append(alphabet[Int(v >> 18 & 63)])
                out.append(alphabet[Int(v >> 12 & 63)])
                out.append(rest == 2 ? alphabet[Int(v >> 6 & 63)] : UInt8(ascii: "="))
                out.append(UInt8(ascii: "="))
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
