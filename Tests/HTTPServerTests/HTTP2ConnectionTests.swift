import Testing
import Locking

@testable import HTTPServer

/// The nghttp2 session wrapper driven by hand-built frames: preface, SETTINGS, requests and
/// responses, concurrency, PING, per-stream errors.
struct HTTP2ConnectionTests {
    static let hello: @Sendable (Request) async -> Response = { request in
        Response(status: 200, headers: ["Content-Type": "text/plain", "X-Path": String(request.path)], body: .bytes(Array("hello".utf8)))
    }

    @Test func serverAnnouncesItsSettingsAndAcksTheClients() async throws {
        let h = try H2Harness.connected(responder: Self.hello)
        let frames = try await h.waitFor { $0.contains { $0.kind == .settings && $0.has(H2Frame.ack) } }
        let settings = try #require(frames.first)
        #expect(settings.kind == .settings && !settings.has(H2Frame.ack))
        #expect(settings.settingsEntries[0x3] == UInt32(100))  // MAX_CONCURRENT_STREAMS
        #expect(settings.settingsEntries[0x4] == UInt32(262_144))  // INITIAL_WINDOW_SIZE
        #expect(settings.settingsEntries[0x6] == UInt32(16_384))  // MAX_HEADER_LIST_SIZE
        let connectionWindow = frames.first { $0.kind == .windowUpdate && $0.streamID == 0 }
        #expect(connectionWindow.map { H2Frame.readU32($0.payload[...]) } == UInt32(4 * 1024 * 1024 - 65535))
    }

    @Test func getIsAnsweredWithHeadersAndData() async throws {
        let h = try H2Harness.connected(responder: Self.hello)
        h.send(.request(stream: 1, path: "/a?b=c", extra: [("cookie", "x=1"), ("cookie", "y=2")]))
        try await h.waitFor { $0.ended(1) }
        let headers = try #require(try h.responseHeaders()[1])
        #expect(headers.first?.name == ":status" && headers.first?.value == "200")
        #expect(headers.contains { $0 == ("content-type", "text/plain") })
        #expect(headers.contains { $0 == ("x-path", "/a") })
        #expect(headers.contains { $0 == ("content-length", "5") })
        #expect(h.body(of: 1) == Array("hello".utf8))
    }

    @Test func requestCarriesPseudoHeadersAsMethodTargetAndHost() async throws {
        let seen = Locked<Request?>(nil)
        let h = try H2Harness.connected { request in
            seen.set(request)
            return Response(status: 204)
        }
        h.send(.request(stream: 1, method: "DELETE", path: "/v1/users/u?x=1", extra: [("cookie", "a=1"), ("cookie", "b=2"), ("x-id", "7")]))
        try await h.waitFor { $0.ended(1) }
        let request = try #require(seen.get())
        #expect(request.method == .delete)
        #expect(request.target == "/v1/users/u?x=1")
        #expect(request.version == .http2)
        #expect(request.headers["host"] == "localhost")
        #expect(request.headers["cookie"] == "a=1; b=2")
        #expect(request.headers["x-id"] == "7")
        #expect(try h.status(of: 1) == "204")
    }

    @Test func fiftyConcurrentStreamsAreAllAnswered() async throws {
        let gate = Gate()
        let h = try H2Harness.connected { request in
            await gate.wait()  // every stream is open at once before any answers
            return Response(status: 200, body: .bytes(Array(request.path.utf8)))
        }
        let ids = (0..<50).map { UInt32(1 + 2 * $0) }
        h.send(ids.map { H2Frame.request(stream: $0, path: "/s/\($0)") })
        try await gate.waitForWaiters(50)
        await gate.open()
        try await h.waitFor { frames in ids.allSatisfy { frames.ended($0) } }
        for id in ids {
            #expect(try h.status(of: id) == "200")
            #expect(h.body(of: id) == Array("/s/\(id)".utf8))
        }
    }

    @Test func pingIsAnsweredWithTheSamePayload() async throws {
        let h = try H2Harness.connected(responder: Self.hello)
        h.send(.ping([1, 2, 3, 4, 5, 6, 7, 8]))
        let frames = try await h.waitFor { $0.contains { $0.kind == .ping } }
        let pong = try #require(frames.first { $0.kind == .ping })
        #expect(pong.has(H2Frame.ack) && pong.payload == [1, 2, 3, 4, 5, 6, 7, 8])
    }

    @Test func headIsAnsweredWithoutBody() async throws {
        let h = try H2Harness.connected(responder: Self.hello)
        h.send(.request(stream: 1, method: "HEAD"))
        try await h.waitFor { $0.ended(1) }
        #expect(try h.responseHeaders()[1]?.contains { $0 == ("content-length", "5") } == true)
        #expect(h.body(of: 1).isEmpty)
    }

    @Test func malformedRequestResetsOnlyItsStream() async throws {
        let h = try H2Harness.connected(responder: Self.hello)
        // Uppercase field names and a missing :path are stream errors (RFC 9113 §8.2.1, §8.3.1).
        h.send(.headers(stream: 1, [(":method", "GET"), (":scheme", "http"), (":path", "/"), ("X-Upper", "1")]))
        h.send(.headers(stream: 3, [(":method", "GET"), (":scheme", "http")]))
        h.send(.request(stream: 5))
        let frames = try await h.waitFor { $0.ended(5) }
        #expect(frames.first { $0.streamID == 1 && $0.kind == .rstStream }?.errorCode == 1)
        #expect(frames.first { $0.streamID == 3 && $0.kind == .rstStream }?.errorCode == 1)
        #expect(frames.goAways.isEmpty)
        #expect(try h.status(of: 5) == "200")
    }

    @Test func oversizedHeaderListGets431AndTheConnectionCarriesOn() async throws {
        let h = try H2Harness.connected(responder: Self.hello)
        let big = String(repeating: "v", count: 9000)
        h.send(H2Frame.requestFrames(stream: 1, extra: [("x-a", big), ("x-b", big)]))
        h.send(.request(stream: 3))
        let frames = try await h.waitFor { $0.ended(1) && $0.ended(3) }
        #expect(try h.status(of: 1) == "431")
        #expect(try h.status(of: 3) == "200")
        #expect(frames.goAways.isEmpty)
    }

    @Test func responderHeadersAreLowercasedAndConnectionFieldsDropped() async throws {
        let h = try H2Harness.connected { _ in
            Response(status: 200, headers: ["Connection": "close", "Transfer-Encoding": "chunked", "X-Kept": "yes"], body: .bytes([1]))
        }
        h.send(.request(stream: 1))
        try await h.waitFor { $0.ended(1) }
        let names = try #require(try h.responseHeaders()[1]).map(\.name)
        #expect(names.contains("x-kept"))
        #expect(!names.contains("connection") && !names.contains("transfer-encoding"))
    }

    @Test func prefaceSniffingAndSettingsDecoding() {
        #expect(HTTP2Upgrade.matchPreface(Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\nxyz".utf8)) == .http2)
        #expect(HTTP2Upgrade.matchPreface(Array("PRI * HT".utf8)) == .needMoreBytes)
        #expect(HTTP2Upgrade.matchPreface(Array("GET / HTTP/1.1\r\n".utf8)) == .notHTTP2)
        #expect(HTTP2Upgrade.matchPreface(Array("P".utf8)) == .needMoreBytes)
        #expect(HTTP2Upgrade.matchPreface(Array("PUT".utf8)) == .notHTTP2)
        // curl's HTTP2-Settings: MAX_CONCURRENT_STREAMS=100, INITIAL_WINDOW_SIZE=33554432, ENABLE_PUSH=0
        #expect(HTTP2Upgrade.decodeSettings("AAMAAABkAAQCAAAAAAIAAAAA") == [0, 3, 0, 0, 0, 100, 0, 4, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0])
        #expect(HTTP2Upgrade.decodeSettings("") == [])
        #expect(HTTP2Upgrade.decodeSettings("AAM") == nil)
        #expect(HTTP2Upgrade.decodeSettings("AA!A") == nil)
    }
}
