import CNGHTTP2

enum HTTP2HeaderBlock {
    /// Calls `body` with an `nghttp2_nv` array pointing into one contiguous copy of the fields;
    /// valid only during the call (nghttp2 copies what it keeps).
    static func withNameValues<R>(_ fields: [(String, String)], _ body: (UnsafeMutableBufferPointer<nghttp2_nv>) -> R) -> R {
        var storage: [UInt8] = []
        storage.reserveCapacity(fields.reduce(1) { $0 + $1.0.utf8.count + $1.1.utf8.count })
        for (name, value) in fields {
            storage.append(contentsOf: name.utf8)
            storage.append(contentsOf: value.utf8)
        }
        storage.append(0)  // never empty, so the base address exists
        return storage.withUnsafeMutableBufferPointer { bytes in
            withUnsafeTemporaryAllocation(of: nghttp2_nv.self, capacity: fields.count) { nva in
                var offset = 0
                for (i, (name, value)) in fields.enumerated() {
                    let nameCount = name.utf8.count
                    let valueCount = value.utf8.count
                    let flags = isNeverIndexed(name) ? NGHTTP2_NV_FLAG_NO_INDEX : NGHTTP2_NV_FLAG_NONE
                    nva.initializeElement(
                        at: i,
                        to: nghttp2_nv(
                            name: bytes.baseAddress! + offset, value: bytes.baseAddress! + offset + nameCount,
                            namelen: nameCount, valuelen: valueCount, flags: UInt8(flags.rawValue)))
                    offset += nameCount + valueCount
                }
                defer { nva.deinitialize() }
                return body(nva)
            }
        }
    }

    /// Response fields whose values differ in (almost) every response. Indexing them gains nothing
    /// and costs on both ends: each one evicts a reusable entry from the HPACK dynamic table, and
    /// nghttp2's encoder walks every same-name entry on each lookup (≈ 8 % of a small h2
    /// request's server CPU with `x-request-id` and `server-timing` indexed). Names are lower case.
    static func isNeverIndexed(_ name: String) -> Bool {
        switch name {
        case "x-request-id", "server-timing", "set-cookie", "etag", "last-modified", "location", "content-disposition":
            true
        default:
            false
        }
    }
}

/// Decodes HPACK header blocks with nghttp2's inflater: how tests and test clients read the
/// server's response headers without a second HPACK implementation.
final class HPACKDecoder {
    private var inflater: OpaquePointer?

    init() { precondition(nghttp2_hd_inflate_new(&inflater) == 0, "nghttp2 inflater: out of memory") }
    deinit { nghttp2_hd_inflate_del(inflater) }

    /// Entries in the HPACK table (the 61 static ones plus what the encoder chose to index).
    var tableEntries: Int { nghttp2_hd_inflate_get_num_table_entries(inflater) }

    /// The fields of one complete header block (HEADERS plus its CONTINUATIONs, padding removed).
    func decode(_ block: [UInt8]) throws -> [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = []
        try block.withUnsafeBufferPointer { input in
            var offset = 0
            while true {
                var nv = nghttp2_nv()
                var flags: Int32 = 0
                let rv = nghttp2_hd_inflate_hd2(
                    inflater, &nv, &flags, input.baseAddress! + offset, input.count - offset, 1)
                guard rv >= 0 else { throw HTTP2Error(code: Int32(rv)) }
                offset += rv
                if flags & Int32(NGHTTP2_HD_INFLATE_EMIT.rawValue) != 0 {
                    fields.append((
                        String(decoding: UnsafeBufferPointer(start: nv.name, count: nv.namelen), as: UTF8.self),
                        String(decoding: UnsafeBufferPointer(start: nv.value, count: nv.valuelen), as: UTF8.self)
                    ))
                }
                if flags & Int32(NGHTTP2_HD_INFLATE_FINAL.rawValue) != 0 {
                    nghttp2_hd_inflate_end_headers(inflater)
                    return
                }
                if rv == 0 && flags & Int32(NGHTTP2_HD_INFLATE_EMIT.rawValue) == 0 { return }
            }
        }
        return fields
    }
}
