import Testing
import Locking

@testable import HTTPServer

/// Floods and malformed input end in GOAWAY with the right error code, never a hang or growth.
struct HTTP2AbuseTests {
    static let ok: @Sendable (Request) async -> Response = { _ in Response(status: 200, body: .bytes([1])) }
    static let protocolError: UInt32 = 0x1, flowControlError: UInt32 = 0x3, frameSizeError: UInt32 = 0x6
    static let internalError: UInt32 = 0x2, compressionError: UInt32 = 0x9, enhanceYourCalm: UInt32 = 0xb

    static func expectGoAway(_ h: H2Harness, _ code: UInt32, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let frames = try await h.waitFor("GOAWAY") { !$0.goAways.isEmpty }
        #expect(frames.goAways.map(\.code) == [code], sourceLocation: sourceLocation)
        #expect(h.isFinished, "the connection is done after GOAWAY", sourceLocation: sourceLocation)
    }

    @Test func rapidResetFloodEndsInGoAwayAndCancelsEveryResponder() async throws {
        let started = Locked(0), finished = Locked(0)
        let h = try H2Harness.connected { _ in
            started.withLock { $0 += 1 }
            try? await Task.sleep(for: .seconds(30))  // returns at once when the stream's task is cancelled
            finished.withLock { $0 += 1 }
            return Response(status: 200)
        }
        var stream: UInt32 = 1
        for _ in 0..<12 {
            h.send((0..<100).flatMap { _ -> [H2Frame] in
                defer { stream += 2 }
                return [.request(stream: stream), .rst(stream: stream)]
            })
        }
        try await Self.expectGoAway(h, Self.internalError)  // nghttp2's code for the rate limit
        #expect(h.onLoop { $0.openStreamCount } == 0)
        try await h.waitFor("responders cancelled") { _ in finished.get() == started.get() }
    }

    @Test func hpackBombEndsInGoAway() async throws {
        let h = try H2Harness.connected(responder: Self.ok)
        // One 4000-byte field added to the dynamic table, then referenced 20 times by index 62:
        // a 4 KiB block that decodes to 80 KiB.
        let value = String(repeating: "b", count: 4000)
        var block = HPACK.literals([(":method", "GET"), (":scheme", "http"), (":path", "/")])
        block += [0x40] + HPACK.string("x-bomb") + HPACK.string(value)
        block += [UInt8](repeating: 0x80 | 62, count: 20)
        h.send(H2Frame.headerBlock(stream: 1, block))
        try await Self.expectGoAway(h, Self.enhanceYourCalm)
    }

    @Test func continuationFloodEndsInGoAway() async throws {
        let h = try H2Harness.connected(responder: Self.ok)
        var frames = [H2Frame(.headers, stream: 1, payload: HPACK.literals([(":method", "GET")]))]
        frames += (0..<20).map { _ in H2Frame(.continuation, stream: 1, payload: HPACK.literals([("x-a", "1")])) }
        h.send(frames)
        let goAways = try await h.waitFor("GOAWAY") { !$0.goAways.isEmpty }.goAways
        #expect(goAways.count == 1)
        #expect(h.isFinished)
    }

    @Test(arguments: [H2Frame.ping([0, 0, 0, 0, 0, 0, 0, 0]), H2Frame.settings()])
    func ackFloodEndsInGoAway(frame: H2Frame) async throws {
        let h = try H2Harness.connected(responder: Self.ok)
        h.send([H2Frame](repeating: frame, count: 3000))
        try await Self.expectGoAway(h, Self.enhanceYourCalm)
    }

    /// A peer that reads every ACK never fills nghttp2's queue; the control-frame budget ends it.
    @Test(arguments: [H2Frame.ping([1, 1, 1, 1, 1, 1, 1, 1]), H2Frame.settings(), H2Frame(.priority, stream: 3, payload: H2Frame.u32(0) + [16])])
    func sustainedControlFrameFloodEndsInGoAway(frame: H2Frame) async throws {
        let h = try H2Harness.connected(responder: Self.ok)
        for _ in 0..<30 where h.frames.goAways.isEmpty {
            h.send([H2Frame](repeating: frame, count: 100))  // the harness reads all output after each batch
        }
        try await Self.expectGoAway(h, Self.enhanceYourCalm)
    }

    @Test func ordinaryControlFramesStayWithinTheBudget() async throws {
        let h = try H2Harness.connected(responder: Self.ok)
        h.send((0..<200).map { _ in H2Frame.ping([2, 2, 2, 2, 2, 2, 2, 2]) })
        h.send(.request(stream: 1))
        let frames = try await h.waitFor { $0.ended(1) }
        #expect(frames.goAways.isEmpty)
        #expect(frames.filter { $0.kind == .ping }.count == 200)
    }

    @Test func badPrefaceEndsInGoAway() async throws {
        let h = try H2Harness(responder: Self.ok)
        h.send(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        try await Self.expectGoAway(h, Self.protocolError)
    }

    /// Connection errors RFC 9113 requires, each on a fresh connection.
    @Test(arguments: [
        ("window overflow", [H2Frame.windowUpdate(stream: 0, 0x7fff_ffff)], flowControlError),
        ("ENABLE_PUSH=2", [H2Frame.settings([(0x2, 2)])], protocolError),
        ("INITIAL_WINDOW_SIZE too large", [H2Frame.settings([(0x4, 0x8000_0000)])], flowControlError),
        ("MAX_FRAME_SIZE too small", [H2Frame.settings([(0x5, 100)])], protocolError),
        ("SETTINGS ack with payload", [H2Frame(.settings, flags: H2Frame.ack, payload: [0, 1, 0, 0, 0, 0])], frameSizeError),
        ("SETTINGS length not a multiple of 6", [H2Frame(.settings, payload: [0, 1, 0])], frameSizeError),
        ("PING of 7 bytes", [H2Frame(.ping, payload: [1, 2, 3, 4, 5, 6, 7])], frameSizeError),
        ("DATA on stream 0", [H2Frame.data(stream: 0, [1])], protocolError),
        ("HEADERS on an even stream", [H2Frame.request(stream: 2)], protocolError),
        ("frame larger than MAX_FRAME_SIZE", [H2Frame.data(stream: 1, [UInt8](repeating: 0, count: 20000))], frameSizeError),
        ("PRIORITY depending on itself", [H2Frame(.priority, stream: 5, payload: H2Frame.u32(5) + [16])], protocolError),
        ("DATA on an idle stream", [H2Frame.data(stream: 7, [1])], protocolError),
        ("WINDOW_UPDATE of 0 on the connection", [H2Frame.windowUpdate(stream: 0, 0)], protocolError),
        ("invalid HPACK index", [H2Frame(.headers, flags: H2Frame.endHeaders | H2Frame.endStream, stream: 1, payload: [0xff, 0x7f])], compressionError),
        ("CONTINUATION without HEADERS", [H2Frame(.continuation, flags: H2Frame.endHeaders, stream: 1, payload: [0x82])], protocolError),
        ("RST_STREAM on an idle stream", [H2Frame.rst(stream: 9)], protocolError),
    ] as [(String, [H2Frame], UInt32)])
    func connectionErrorsSendGoAwayWithTheRequiredCode(_ name: String, _ frames: [H2Frame], _ code: UInt32) async throws {
        let h = try H2Harness.connected(responder: Self.ok)
        h.send(frames)
        try await Self.expectGoAway(h, code)
    }

    @Test func streamErrorsResetOnlyTheStream() async throws {
        let h = try H2Harness.connected(responder: Self.ok)
        h.send(.request(stream: 1, method: "POST", extra: [("content-length", "3")], end: false))
        h.send(.data(stream: 1, [1, 2, 3, 4, 5], end: true))  // more than content-length
        h.send(.request(stream: 3, extra: [("connection", "keep-alive")]))  // connection-specific field
        h.send(.request(stream: 5, extra: [("te", "gzip")]))  // TE other than "trailers"
        h.send(.request(stream: 7))
        let frames = try await h.waitFor { $0.ended(7) }
        for id: UInt32 in [1, 3, 5] {
            #expect(frames.first { $0.streamID == id && $0.kind == .rstStream }?.errorCode == Self.protocolError)
        }
        #expect(frames.goAways.isEmpty)
    }

    @Test func priorityFramesAreAccepted() async throws {
        let h = try H2Harness.connected(responder: Self.ok)
        h.send(H2Frame(.priority, stream: 3, payload: H2Frame.u32(1) + [16]))
        h.send(.request(stream: 5))
        let frames = try await h.waitFor { $0.ended(5) }
        #expect(frames.goAways.isEmpty)
        #expect(try h.status(of: 5) == "200")
    }
}
