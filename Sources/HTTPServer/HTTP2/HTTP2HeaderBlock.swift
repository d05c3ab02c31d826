import CNGHTTP2

enum HTTP2HeaderBlock {
    /// Calls `body` with an `nghttp2_nv` array pointing into one contiguous copy of the fields;
    /// valid only during the call (nghttp2 copies what it keeps).
    static func withNameValues<R>(_ fields: [(String, String)], _ body: (UnsafeMutableBufferPointer<nghttp2_nv>) -> R) -> R {
        var storage: [UInt8] = []
        var spans: [(name: Range<Int>, value: Range<Int>)] = []
        spans.reserveCapacity(fields.count)
        for (name, value) in fields {
            let nameStart = storage.count
            storage.append(contentsOf: name.utf8)
            let valueStart = storage.count
            storage.append(contentsOf: value.utf8)
            spans.append((nameStart..<valueStart, valueStart..<storage.count))
        }
        storage.append(0)  // never empty, so the base address exists
        return storage.withUnsafeMutableBufferPointer { bytes in
            let base = bytes.baseAddress!
            var nva = spans.map { span in
                nghttp2_nv(
                    name: base + span.name.lowerBound, value: base + span.value.lowerBound,
                    namelen: span.name.count, valuelen: span.value.count, flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue))
            }
            return nva.withUnsafeMutableBufferPointer { body($0) }
        }
    }
}

/// Decodes HPACK header blocks with nghttp2's inflater: how tests and test clients read the
/// server's response headers without a second HPACK implementation.
final class HPACKDecoder {
    private var inflater: OpaquePointer?

    init() { precondition(nghttp2_hd_inflate_new(&inflater) == 0, "nghttp2 inflater: out of memory") }
    deinit { nghttp2_hd_inflate_del(inflater) }

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
