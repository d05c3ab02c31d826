import Testing
import Locking

@testable import HTTPServer

/// Graceful shutdown, the h2c upgrade start, and streamed responses that end early.
struct HTTP2LifecycleTests {
    @Test func gracefulShutdownLetsTheOpenStreamFinish() async throws {
        let gate = Gate()
        let h = try H2Harness.connected { _ in
            await gate.wait()
            return Response(status: 200, body: .bytes(Array("late".utf8)))
        }
        h.send(.request(stream: 1))
        try await gate.waitForWaiters(1)
        h.onLoop { $0.beginGracefulShutdown() }
        let notice = try await h.waitFor { $0.contains { $0.kind == .ping && !$0.has(H2Frame.ack) } }
        #expect(notice.goAways.map(\.lastStream) == [0x7fff_ffff])
        let ping = try #require(notice.first { $0.kind == .ping })
        h.send(.ping(ping.payload, ack: true))
        let final = try await h.waitFor { $0.goAways.count == 2 }
        #expect(final.goAways.last?.lastStream == 1 && final.goAways.last?.code == 0)
        #expect(!h.isFinished, "stream 1 is still open")

        // A stream opened after the final GOAWAY is ignored; stream 1 completes.
        h.send(.request(stream: 3))
        await gate.open()
        try await h.waitFor { $0.ended(1) }
        #expect(h.body(of: 1) == Array("late".utf8))
        #expect(h.frames.allSatisfy { $0.streamID != 3 || $0.kind == .rstStream })
        #expect(h.isFinished)
    }

    @Test func gracefulShutdownWithoutPingAckFinishesOnTheTimerCall() async throws {
        let h = try H2Harness.connected { _ in Response(status: 200) }
        h.onLoop { $0.beginGracefulShutdown() }
        h.onLoop { $0.finishGracefulShutdown() }
        let frames = try await h.waitFor { $0.goAways.count == 2 }
        #expect(frames.goAways.last?.lastStream == 0)
        #expect(h.isFinished)
    }

    @Test func upgradedRequestIsAnsweredOnStreamOne() async throws {
        let h = try H2Harness(responder: { request in
            Response(status: 200, body: .bytes(Array("up:\(request.target)".utf8)))
        })
        try h.onLoop { connection in
            try connection.startUpgraded(
                http2Settings: "AAMAAABkAAQCAAAAAAIAAAAA",
                request: Request(method: .get, target: "/upgraded", headers: ["host": "localhost"]))
        }
        h.send(HTTP2Upgrade.preface + H2Frame.settings().bytes + H2Frame.settingsAck.bytes)
        try await h.waitFor { $0.ended(1) }
        #expect(try h.status(of: 1) == "200")
        #expect(h.body(of: 1) == Array("up:/upgraded".utf8))
        // Stream 1 is taken by the upgrade; the client continues with 3.
        h.send(.request(stream: 3))
        try await h.waitFor { $0.ended(3) }
        #expect(try h.status(of: 3) == "200")
    }

    @Test func badHTTP2SettingsHeaderIsRejected() throws {
        let h = try H2Harness(responder: { _ in Response(status: 200) })
        #expect(throws: HTTP2Error.self) {
            try h.onLoop { try $0.startUpgraded(http2Settings: "AAM", request: Request(method: .get, target: "/")) }
        }
    }

    @Test func producerFailureResetsTheStream() async throws {
        struct Boom: Error {}
        let h = try H2Harness.connected { _ in
            Response(status: 200, body: .stream { writer in
                try await writer.write([1, 2, 3])
                throw Boom()
            })
        }
        h.send(.request(stream: 1))
        let frames = try await h.waitFor { $0.contains { $0.kind == .rstStream && $0.streamID == 1 } }
        #expect(frames.first { $0.kind == .rstStream }?.errorCode == 0x2)
        #expect(!frames.ended(1), "an incomplete body must not look complete")
    }

    @Test func clientResetStopsTheProducer() async throws {
        let writerError = Locked<String?>(nil)
        let h = try H2Harness.connected { _ in
            Response(status: 200, body: .stream { writer in
                do {
                    while true { try await writer.write([UInt8](repeating: 7, count: 32 * 1024)) }
                } catch {
                    writerError.set("\(error)")
                    throw error
                }
            })
        }
        h.send(.request(stream: 1))
        try await h.waitFor { $0.contains { $0.kind == .data && $0.streamID == 1 } }
        h.send(.rst(stream: 1, code: 0x8))
        try await h.waitFor("producer stopped") { _ in writerError.get() != nil }
        #expect(h.onLoop { $0.openStreamCount } == 0)
        h.send(.request(stream: 3))  // the connection is still healthy
        try await h.waitFor { $0.contains { $0.kind == .headers && $0.streamID == 3 } }
    }

    @Test func closingTheConnectionFailsAPendingBodyRead() async throws {
        let readError = Locked<String?>(nil)
        let h = try H2Harness.connected { request in
            do { _ = try await request.body.collect(upTo: 1 << 20) } catch { readError.set("\(error)") }
            return Response(status: 200)
        }
        h.send(.request(stream: 1, method: "POST", end: false))
        h.send(.data(stream: 1, [1, 2, 3]))
        try await Task.sleep(for: .milliseconds(10))
        h.onLoop { $0.connectionClosed() }
        try await h.waitFor("read failed") { _ in readError.get() != nil }
        #expect(readError.get() != nil)
    }
}
