import CNGHTTP2

/// The nghttp2 callback table, built once. Every callback captures nothing and forwards in
/// one line to the `HTTP2Connection` found through `user_data`.
/// `@unchecked Sendable`: the table is immutable after `init` and nghttp2 copies it into each session.
final class HTTP2Callbacks: @unchecked Sendable {
    static let shared = HTTP2Callbacks()
    let raw: OpaquePointer

    private init() {
        var callbacks: OpaquePointer?
        precondition(nghttp2_session_callbacks_new(&callbacks) == 0, "nghttp2 callbacks: out of memory")
        raw = callbacks!
        nghttp2_session_callbacks_set_on_begin_headers_callback(raw) { _, frame, user in
            HTTP2Connection.from(user).beginHeaders(frame!.pointee)
        }
        nghttp2_session_callbacks_set_on_header_callback(raw) { _, frame, name, nameLength, value, valueLength, _, user in
            HTTP2Connection.from(user).header(
                frame!.pointee, UnsafeBufferPointer(start: name, count: nameLength),
                UnsafeBufferPointer(start: value, count: valueLength))
        }
        nghttp2_session_callbacks_set_on_begin_frame_callback(raw) { _, header, user in
            HTTP2Connection.from(user).beginFrame(header!.pointee)
        }
        nghttp2_session_callbacks_set_on_frame_recv_callback(raw) { _, frame, user in
            HTTP2Connection.from(user).frameReceived(frame!.pointee)
        }
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(raw) { _, flags, streamID, data, length, user in
            HTTP2Connection.from(user).dataReceived(streamID, UnsafeBufferPointer(start: data, count: length))
        }
        nghttp2_session_callbacks_set_on_stream_close_callback(raw) { _, streamID, errorCode, user in
            HTTP2Connection.from(user).streamClosed(streamID, errorCode: errorCode)
        }
    }

    /// The DATA source callback for response bodies (`nghttp2_data_provider.read_callback`).
    static let readBody: nghttp2_data_source_read_callback = { _, streamID, buffer, length, flags, _, user in
        HTTP2Connection.from(user).readResponseBody(streamID, into: buffer!, capacity: length, flags: flags!)
    }

    deinit { nghttp2_session_callbacks_del(raw) }
}
