import Testing
import Locking

@testable import HTTPServer

/// Request and response bodies under HTTP/2 flow control, in both directions.
struct HTTP2FlowControlTests {
    static func pattern(_ count: Int, seed: Int = 0) -> [UInt8] {
        if count == fiveMB { return seed == 0 ? upload : seed == 7 ? download : makePattern(count, seed: seed) }
        return makePattern(count, seed: seed)
    }
    static func makePattern(_ count: Int, seed: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0..<count { buffer[i] = UInt8(truncatingIfNeeded: (i &* 31) &+ (i >> 8) &+ seed) }
            initialized = count
        }
    }
    static let fiveMB = 5 * 1024 * 1024
    static let upload = makePattern(fiveMB, seed: 0)
    static let download = makePattern(fiveMB, seed: 7)

    /// A peer that sends `upload` on `stream` only as far as the server's windows allow, and
    /// opens its own windows as response DATA arrives, until the response ends.
    static func exchange(_ h: H2Harness, stream: UInt32, upload: [UInt8]) async throws {
        var sent = 0
        var seen = 0
        var connectionWindow = 65535, streamWindow = 262_144
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let frames = h.frames
            var credit = 0
            for frame in frames[seen...] {
                if frame.kind == .windowUpdate {
                    let increment = Int(H2Frame.readU32(frame.payload[...]))
                    if frame.streamID == 0 { connectionWindow += increment }
                    if frame.streamID == stream { streamWindow += increment }
                }
                if frame.kind == .data { credit += frame.payload.count }
            }
            seen = frames.count
            if frames.ended(stream) { return }
            let allowed = min(connectionWindow - sent, streamWindow - sent, 16384, upload.count - sent)
            var out: [H2Frame] = []
            if allowed > 0 {
                out.append(.data(stream: stream, Array(upload[sent..<sent + allowed]), end: sent + allowed == upload.count))
                sent += allowed
            }
            if credit > 0 {
                out += [.windowUpdate(stream: 0, UInt32(credit)), .windowUpdate(stream: stream, UInt32(credit))]
            }
            if out.isEmpty { try await Task.sleep(for: .milliseconds(1)) } else { h.send(out) }
        }
        throw H2Harness.HarnessTimeout(what: "exchange", frames: [])
    }

    @Test func fiveMegabytesUpAndFiveMegabytesDownStreamed() async throws {
        let size = 5 * 1024 * 1024
        let h = try H2Harness.connected { request in
            guard let body = try? await request.body.collect(upTo: 6 * 1024 * 1024), body == Self.pattern(size) else {
                return Response(status: 400)
            }
            return Response(status: 200, body: .stream { writer in
                let reply = Self.pattern(size, seed: 7)
                for start in stride(from: 0, to: reply.count, by: 100_000) {
                    try await writer.write(Array(reply[start..<min(start + 100_000, reply.count)]))
                }
            })
        }
        h.send(.request(stream: 1, method: "POST", path: "/echo", extra: [("content-length", String(size))], end: false))
        try await Self.exchange(h, stream: 1, upload: Self.pattern(size))
        #expect(try h.status(of: 1) == "200")
        #expect(h.body(of: 1) == Self.pattern(size, seed: 7))
        // The server never sent past the client's windows: 65535 initially plus what it credited.
        #expect(h.frames.filter { $0.kind == .data }.allSatisfy { $0.payload.count <= 16384 })
    }

    @Test func fiveMegabyteBytesResponseWaitsForWindowUpdates() async throws {
        let body = Self.pattern(5 * 1024 * 1024, seed: 3)
        let h = try H2Harness.connected { _ in Response(status: 200, body: .bytes(body)) }
        h.send(.request(stream: 1))
        // Without WINDOW_UPDATEs the server stops at the initial 65535-byte window.
        try await h.waitFor { $0.filter { $0.kind == .data }.reduce(0) { $0 + $1.payload.count } == 65535 }
        try await Task.sleep(for: .milliseconds(20))
        #expect(h.body(of: 1).count == 65535)
        try await Self.exchange(h, stream: 1, upload: [])
        #expect(h.body(of: 1) == body)
    }

    @Test func zeroInitialWindowHoldsDataUntilTheClientOpensIt() async throws {
        let h = try H2Harness.connected(clientSettings: [(0x4, 0)]) { _ in Response(status: 200, body: .bytes([1, 2, 3])) }
        h.send(.request(stream: 1))
        try await h.waitFor { $0.contains { $0.kind == .headers && $0.streamID == 1 } }
        try await Task.sleep(for: .milliseconds(20))
        #expect(h.body(of: 1).isEmpty)
        h.send(.windowUpdate(stream: 1, 3))
        try await h.waitFor { $0.ended(1) }
        #expect(h.body(of: 1) == [1, 2, 3])
    }

    @Test func slowReaderThrottlesTheUpload() async throws {
        let gate = Gate()
        let h = try H2Harness.connected { request in
            await gate.wait()
            let body = try? await request.body.collect(upTo: 1 << 20)
            return Response(status: 200, body: .bytes(Array(String(body?.count ?? -1).utf8)))
        }
        h.send(.request(stream: 1, method: "POST", end: false))
        // The handler reads nothing yet: the server must not open the stream window beyond 256 KiB.
        let chunk = [UInt8](repeating: 9, count: 16384)
        h.send((0..<16).map { _ in H2Frame.data(stream: 1, chunk) })
        try await Task.sleep(for: .milliseconds(20))
        #expect(!h.frames.contains { $0.kind == .windowUpdate && $0.streamID == 1 })
        await gate.open()
        try await h.waitFor { $0.contains { $0.kind == .windowUpdate && $0.streamID == 1 } }
        h.send(.data(stream: 1, [], end: true))
        try await h.waitFor { $0.ended(1) }
        #expect(h.body(of: 1) == Array("262144".utf8))
    }

    @Test func declaredBodyOverTheLimitGets413() async throws {
        var configuration = HTTP2Configuration()
        configuration.maxBodySize = 1000
        let h = try H2Harness.connected(configuration: configuration) { _ in Response(status: 200) }
        h.send(.request(stream: 1, method: "POST", extra: [("content-length", "5000")], end: false))
        try await h.waitFor { $0.ended(1) }
        #expect(try h.status(of: 1) == "413")
        h.send(.request(stream: 3))
        try await h.waitFor { $0.ended(3) }
        #expect(try h.status(of: 3) == "200")
    }

    @Test func streamedBodyOverTheLimitGets413AndTheHandlerSeesTooLarge() async throws {
        var configuration = HTTP2Configuration()
        configuration.maxBodySize = 40_000
        let handlerError = Locked<String?>(nil)
        let h = try H2Harness.connected(configuration: configuration) { request in
            do { _ = try await request.body.collect(upTo: 1 << 20) } catch { handlerError.set("\(error)") }
            return Response(status: 200)
        }
        h.send(.request(stream: 1, method: "POST", end: false))
        h.send((0..<4).map { _ in H2Frame.data(stream: 1, [UInt8](repeating: 1, count: 16384)) })
        try await h.waitFor { $0.ended(1) }
        #expect(try h.status(of: 1) == "413")
        h.send(.request(stream: 3))
        try await h.waitFor { $0.ended(3) }
        #expect(try h.status(of: 3) == "200")
        try await h.waitFor("handler saw the error") { _ in handlerError.get() != nil }
        #expect(handlerError.get() == "\(RequestBodyError.tooLarge(limit: 40_000))")
    }

    @Test func bodySentWithItsHeadersReachesTheResponderBuffered() async throws {
        let seen = Locked<(buffered: Bool, body: [UInt8])?>(nil)
        let h = try H2Harness.connected { request in
            let buffered = request.body.isBuffered
            seen.set((buffered, (try? await request.body.collect(upTo: 1 << 20)) ?? []))
            return Response(status: 200)
        }
        let upload = Self.pattern(20_000)
        // HEADERS and all DATA in one read (as h2load and most clients send a small POST).
        h.send([.request(stream: 1, method: "POST", end: false), .data(stream: 1, Array(upload[..<16384])),
                .data(stream: 1, Array(upload[16384...]), end: true)])
        try await h.waitFor { $0.ended(1) }
        #expect(try h.status(of: 1) == "200")
        #expect(seen.get()?.buffered == true)
        #expect(seen.get()?.body == upload)
    }

    @Test func bodyOverTheLimitInTheSameReadGets413AndTheResponderNeverRuns() async throws {
        var configuration = HTTP2Configuration()
        configuration.maxBodySize = 1000
        let runs = Locked(0)
        let h = try H2Harness.connected(configuration: configuration) { _ in
            runs.withLock { $0 += 1 }
            return Response(status: 200)
        }
        h.send([.request(stream: 1, method: "POST", end: false), .data(stream: 1, Self.pattern(2000), end: true)])
        try await h.waitFor { $0.ended(1) }
        #expect(try h.status(of: 1) == "413")
        h.send(.request(stream: 3))
        try await h.waitFor { $0.ended(3) }
        #expect(try h.status(of: 3) == "200")
        #expect(runs.get() == 1)  // stream 3 only
    }
}
