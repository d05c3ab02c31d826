#if canImport(Glibc)
import Glibc
#endif
import HTTPServer
import Synchronization
import Testing
import TestSupport
import Locking

/// Live tests of timeouts, connection limits, backpressure and shutdown.
struct LiveLimitsTests {
    @Test func idleKeepAliveConnectionIsClosedAfterTheKeepAliveTimeout() async throws {
        try await withTestServer(configure: { $0.keepAliveTimeout = .milliseconds(200) }, LiveServerTests.echo) { port in
            try await offPool {
                let client = try RawClient(port: port)
                // Timed from the request: the server's idle timer starts after it, so the bound holds
                // however late a loaded machine lets this thread read the response.
                let start = ContinuousClock.now
                try client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(try client.readResponse().status == 200)
                #expect(client.isClosedByPeer())
                #expect(ContinuousClock.now - start >= .milliseconds(150))
            }
        }
    }

    @Test func stalledBodyIsAnswered408AfterTheBodyTimeout() async throws {
        try await withTestServer(configure: { $0.bodyReadTimeout = .milliseconds(200) }, LiveServerTests.echo) { port in
            try await offPool {
                let client = try RawClient(port: port)
                try client.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc")
                let response = try client.readResponse()
                #expect(response.status == 408)
                #expect(client.isClosedByPeer())
            }
        }
    }

    @Test func slowBodyConsumerIsNotMistakenForASlowClient() async throws {
        let responder: @Sendable (Request) async -> Response = { request in
            var total = 0
            do {
                for try await chunk in request.body {
                    // One pause longer than the body timeout while the connection has stopped reading.
                    if total == 0 { try? await Task.sleep(for: .milliseconds(1500)) }
                    total += chunk.count
                }
            } catch {
                return Response(status: 500, body: .bytes(Array("\(error)".utf8)))
            }
            return Response(status: 200, body: .bytes(Array("\(total)".utf8)))
        }
        let size = 3 << 20  // over bufferedBodyThreshold: streamed
        try await withTestServer(
            // 500 ms, not less: on a loaded machine the sending client itself may stall for a while.
            configure: { $0.bodyReadTimeout = .milliseconds(500); $0.requestBodyHighWatermark = 64 * 1024 }, responder
        ) { port in
            try await offPool {
                let client = try RawClient(port: port)
                try client.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: \(size)\r\n\r\n")
                try client.send([UInt8](repeating: 1, count: size))
                let response = try client.readResponse()
                #expect(response.status == 200)
                #expect(response.text == "\(size)")
            }
        }
    }

    @Test func connectionsBeyondTheLimitAreRefused() async throws {
        try await withTestServer(configure: { $0.maxConnections = 2; $0.loopCount = 1 }, LiveServerTests.echo) { port in
            try await offPool {
                let a = try RawClient(port: port)
                let b = try RawClient(port: port)
                try a.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
                try b.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(try a.readResponse().status == 200)
                #expect(try b.readResponse().status == 200)
                let c = try RawClient(port: port)
                #expect(c.isClosedByPeer())
            }
        }
    }

    @Test func slowReaderSuspendsTheStreamWriter() async throws {
        let written = Atomic<Int>(0)
        let chunk = [UInt8](repeating: 120, count: 64 * 1024)
        let total = 1000
        let responder: @Sendable (Request) async -> Response = { _ in
            Response(status: 200, body: .stream { writer in
                for _ in 0..<total {
                    try await writer.write(chunk)
                    written.add(1, ordering: .relaxed)
                }
            })
        }
        try await withTestServer(responder) { port in
            try await offPool {
                let client = try RawClient(port: port)
                try client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
                usleep(300_000)  // do not read: the writer must stall at the socket buffers + watermark
                let early = written.load(ordering: .relaxed)
                #expect(early < total / 2, "writer ran ahead: \(early) of \(total) chunks")
                let response = try client.readResponse()
                #expect(response.body.count == total * chunk.count)
            }
        }
    }

    @Test func pipelinedRequestsWaitWhileThePeerDoesNotReadResponses() async throws {
        let calls = Atomic<Int>(0)
        let body = [UInt8](repeating: 97, count: 1 << 20)
        let responder: @Sendable (Request) async -> Response = { _ in
            calls.add(1, ordering: .relaxed)
            return Response(status: 200, body: .bytes(body))
        }
        try await withTestServer(responder) { port in
            try await offPool {
                let client = try RawClient(port: port)
                let count = 30
                try client.send(String(repeating: "GET / HTTP/1.1\r\nHost: t\r\n\r\n", count: count))
                usleep(300_000)  // not reading: 30 MiB of responses must not pile up in the server
                let answered = calls.load(ordering: .relaxed)
                #expect(answered < 20, "\(answered) of \(count) responses produced for a peer that reads nothing")
                for _ in 0..<count { #expect(try client.readResponse().body.count == body.count) }
            }
        }
    }

    @Test func peerThatStopsReadingIsClosedAfterTheWriteTimeout() async throws {
        let failed = Atomic<Bool>(false)
        let chunk = [UInt8](repeating: 98, count: 256 * 1024)
        let responder: @Sendable (Request) async -> Response = { _ in
            Response(status: 200, body: .stream { writer in
                do {
                    for _ in 0..<4096 { try await writer.write(chunk) }  // 1 GiB: never fits in buffers
                } catch {
                    failed.store(true, ordering: .relaxed)
                    throw error
                }
            })
        }
        try await withTestServer(configure: { $0.writeTimeout = .milliseconds(300) }, responder) { port in
            let client = try RawClient(port: port)
            try client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            let deadline = ContinuousClock.now + .seconds(10)
            while !failed.load(ordering: .relaxed) && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            let writerFailed = failed.load(ordering: .relaxed)
            #expect(writerFailed, "the stream writer was never failed")
            return ()
        }
    }

    @Test func shutdownDeadlineClosesRequestsThatDoNotFinish() async throws {
        let responder: @Sendable (Request) async -> Response = { _ in
            try? await Task.sleep(for: .seconds(30))
            return Response(status: 200)
        }
        // Timed from the shutdown (when the body returns), not from the start of a parallel test run
        // whose backlog can hold up the server's startup for seconds on a loaded 2-core machine.
        let shutdownStarted = Locked<ContinuousClock.Instant?>(nil)
        try await withTestServer(configure: { $0.shutdownDeadline = .milliseconds(300) }, responder) { port in
            let client = try RawClient(port: port)
            try client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            try await Task.sleep(for: .milliseconds(50))
            shutdownStarted.withLock { $0 = .now }
            return ()
        }
        let start = try #require(shutdownStarted.withLock { $0 })
        #expect(ContinuousClock.now - start < .seconds(15), "the 30 s responder held up shutdown")
    }

    @Test func readinessTurnsOffBeforeTheListenerCloses() async throws {
        let events = Locked<[Bool]>([])
        try await withTestServer(
            configure: {
                $0.readinessDelay = .milliseconds(200)
                $0.onReadinessChange = { ready in events.withLock { $0.append(ready) } }
            }, LiveServerTests.echo
        ) { port in
            #expect(events.withLock { $0 } == [true])
            return ()
        }
        #expect(events.withLock { $0 } == [true, false])
    }

    @Test func requestsAreStillServedOnceReadinessTurnedOffAndTheDelayIsKept() async throws {
        let portBox = Locked(0)
        let statusAfterNotReady = Locked<Int?>(nil)
        var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0, loopCount: 1)
        configuration.readinessDelay = .milliseconds(300)
        configuration.inlineResponder = { _ in true }  // answered on the loop: no task pool needed
        configuration.onReadinessChange = { ready in
            guard !ready else { return }
            // Called before the delay starts: a new connection must still be accepted and served.
            let port = portBox.withLock { $0 }
            let status = try? { () throws -> Int in
                let client = try RawClient(port: port)
                try client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
                return try client.readResponse().status
            }()
            statusAfterNotReady.withLock { $0 = status }
        }
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let server = HTTPServer(
            configuration: configuration, responder: ClosureResponder(LiveServerTests.echo),
            onServerRunning: { portContinuation.yield($0) })
        async let running: Void = server.run()
        var portIterator = ports.makeAsyncIterator()
        let port = try #require(await portIterator.next())
        portBox.withLock { $0 = port }
        let start = ContinuousClock.now
        server.triggerGracefulShutdown()
        try await running
        #expect(ContinuousClock.now - start >= .milliseconds(300), "run() returned before the readiness delay")
        #expect(statusAfterNotReady.withLock { $0 } == 200)
    }
}
