#if canImport(Glibc)
import Glibc
#endif
import HTTPServer
import Synchronization
import Testing
import TestSupport

/// Live tests: a real server on port 0, raw client sockets.
struct LiveServerTests {
    static let echo: @Sendable (Request) async -> Response = { request in
        let body = (try? await request.body.collect(upTo: 64 << 20)) ?? Array("too large".utf8)
        var headers: HTTPHeaders = ["X-Method": request.method.rawValue, "X-Target": request.target]
        headers.add("X-Body-Count", "\(body.count)")
        return Response(status: 200, headers: headers, body: .bytes(body))
    }

    @Test func thousandRequestsOnOneKeepAliveConnection() async throws {
        try await withTestServer(Self.echo) { port in
            try await offPool {
                let client = try RawClient(port: port)
                for i in 0..<1000 {
                    try client.send("POST /n/\(i) HTTP/1.1\r\nHost: t\r\nContent-Length: \(String(i).utf8.count)\r\n\r\n\(i)")
                    let response = try client.readResponse()
                    #expect(response.status == 200)
                    #expect(response.text == "\(i)")
                    #expect(response.header("connection") == nil)
                }
            }
        }
    }

    @Test func tenPipelinedRequestsAreAnsweredInOrder() async throws {
        let delayed: @Sendable (Request) async -> Response = { request in
            // Later requests finish sooner; responses must still come back in request order.
            let n = Int(request.path.split(separator: "/").last!)!
            try? await Task.sleep(for: .milliseconds(5 * (10 - n)))
            return Response(status: 200, body: .bytes(Array("r\(n)".utf8)))
        }
        try await withTestServer(delayed) { port in
            try await offPool {
                let client = try RawClient(port: port)
                try client.send((0..<10).map { "GET /p/\($0) HTTP/1.1\r\nHost: t\r\n\r\n" }.joined())
                for n in 0..<10 { #expect(try client.readResponse().text == "r\(n)") }
            }
        }
    }

    @Test func chunkedRequestBodyIsStreamedToTheResponder() async throws {
        try await withTestServer(Self.echo) { port in
            try await offPool {
                let client = try RawClient(port: port)
                try client.send("POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
                usleep(20_000)
                try client.send("6\r\n world\r\n0\r\n\r\n")
                let response = try client.readResponse()
                #expect(response.status == 200)
                #expect(response.text == "hello world")
            }
        }
    }

    @Test func expectContinueGets100BeforeTheBody() async throws {
        try await withTestServer(Self.echo) { port in
            try await offPool {
                let client = try RawClient(port: port)
                try client.send("POST /e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
                let interim = try client.readResponse()
                #expect(interim.status == 100)
                try client.send("data")
                let final = try client.readResponse()
                #expect(final.status == 200)
                #expect(final.text == "data")
            }
        }
    }

    @Test func bodyOverLimitIs413AndCloses() async throws {
        try await withTestServer(configure: { $0.maxBodySize = 1000 }, Self.echo) { port in
            try await offPool {
                let client = try RawClient(port: port)
                try client.send("POST /big HTTP/1.1\r\nHost: t\r\nContent-Length: 1001\r\n\r\n" + String(repeating: "x", count: 1001))
                let response = try client.readResponse()
                #expect(response.status == 413)
                #expect(response.header("content-type") == "application/problem+json")
                #expect(response.header("connection") == "close")
                #expect(response.text.contains("\"status\":413"))
                #expect(client.isClosedByPeer())
            }
        }
    }

    @Test func targetOver8KiBIs414() async throws {
        try await withTestServer(Self.echo) { port in
            try await offPool {
                let client = try RawClient(port: port)
                try client.send("GET /\(String(repeating: "a", count: 9000)) HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(try client.readResponse().status == 414)
                #expect(client.isClosedByPeer())
            }
        }
    }

    @Test func tooManyHeadersIs431() async throws {
        try await withTestServer(Self.echo) { port in
            try await offPool {
                let client = try RawClient(port: port)
                let fields = (0..<101).map { "X-\($0): v\r\n" }.joined()
                try client.send("GET / HTTP/1.1\r\nHost: t\r\n\(fields)\r\n")
                #expect(try client.readResponse().status == 431)
                #expect(client.isClosedByPeer())
            }
        }
    }

    @Test func slowHeaderIsAnswered408AfterTheHeaderTimeout() async throws {
        try await withTestServer(configure: { $0.headerReadTimeout = .milliseconds(200) }, Self.echo) { port in
            try await offPool {
                let client = try RawClient(port: port)
                let start = ContinuousClock.now
                try client.send("GET / HTTP/1.1\r\nHost: t\r\nX-Slow: ")
                let response = try client.readResponse()
                let elapsed = ContinuousClock.now - start
                #expect(response.status == 408)
                #expect(client.isClosedByPeer())
                #expect(elapsed >= .milliseconds(150))
                #expect(elapsed < .seconds(10))
            }
        }
    }

    @Test func slowHandlerDoesNotDelayAnotherConnection() async throws {
        // The slow handler spins (CPU-bound, no suspension) until the test has its fast answer, or
        // 20 s. A stalled loop would hold the fast answer until then; a busy machine only delays it
        // a little, so the bound below is far from both.
        let released = Released()
        let responder: @Sendable (Request) async -> Response = { request in
            if request.path == "/slow" {
                let end = ContinuousClock.now + .seconds(20)
                while !released.value.load(ordering: .acquiring) && ContinuousClock.now < end {}
            }
            return Response(status: 200, body: .bytes(Array(request.path.utf8)))
        }
        // One loop: both connections share it, so a stall would show. The fast route answers on the
        // loop itself, so only a stalled loop (not a busy task pool) could delay it.
        try await withTestServer(configure: { $0.loopCount = 1; $0.inlineResponder = { $0.path == "/fast" } }, responder) { port in
            try await offPool {
                defer { released.value.store(true, ordering: .releasing) }  // also when the test fails
                let slow = try RawClient(port: port)
                try slow.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
                usleep(50_000)
                let fast = try RawClient(port: port)
                let start = ContinuousClock.now
                try fast.send("GET /fast HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(try fast.readResponse().text == "/fast")
                let elapsed = ContinuousClock.now - start
                released.value.store(true, ordering: .releasing)
                #expect(elapsed < .seconds(10), "fast request took \(elapsed)")
                #expect(try slow.readResponse().text == "/slow")
            }
        }
    }

    private final class Released: Sendable {
        let value = Atomic<Bool>(false)
    }

    @Test func headGetsHeadersWithoutBody() async throws {
        try await withTestServer({ _ in Response(status: 200, body: .bytes(Array("12345".utf8))) }) { port in
            try await offPool {
                let client = try RawClient(port: port)
                try client.send("HEAD / HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n")
                let head = try client.readResponse(head: true)
                #expect(head.header("content-length") == "5")
                #expect(try client.readResponse().text == "12345")  // the next response starts right after
            }
        }
    }

    @Test func streamedResponseIsChunkedWithDateAndServer() async throws {
        let streaming: @Sendable (Request) async -> Response = { _ in
            Response(status: 200, body: .stream { writer in
                for i in 0..<5 { try await writer.write(Array("line \(i)\n".utf8)) }
            })
        }
        try await withTestServer(streaming) { port in
            try await offPool {
                let client = try RawClient(port: port)
                try client.send("GET /s HTTP/1.1\r\nHost: t\r\n\r\n")
                let response = try client.readResponse()
                #expect(response.header("transfer-encoding") == "chunked")
                #expect(response.header("date") != nil)
                #expect(response.header("server") == "reward")
                #expect(response.text == (0..<5).map { "line \($0)\n" }.joined())
            }
        }
    }

    @Test func streamToHTTP10ClientEndsWithTheConnectionAnd204HasNoBody() async throws {
        let responder: @Sendable (Request) async -> Response = { request in
            if request.path == "/none" { return Response(status: 204, body: .bytes(Array("ignored".utf8))) }
            return Response(status: 200, body: .stream { writer in
                for i in 0..<3 { try await writer.write(Array("part\(i);".utf8)) }
            })
        }
        try await withTestServer(responder) { port in
            try await offPool {
                let old = try RawClient(port: port)
                try old.send("GET /s HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                let text = String(decoding: try old.readToEnd(), as: UTF8.self)
                #expect(text.hasPrefix("HTTP/1.1 200 OK\r\n"))
                #expect(!text.lowercased().contains("transfer-encoding"))
                #expect(text.lowercased().contains("connection: close\r\n"))
                #expect(text.hasSuffix("\r\n\r\npart0;part1;part2;"))
                let client = try RawClient(port: port)
                try client.send("GET /none HTTP/1.1\r\nHost: t\r\n\r\nGET /none HTTP/1.1\r\nHost: t\r\n\r\n")
                let first = try client.readResponse()
                #expect(first.status == 204)
                #expect(first.header("content-length") == nil)
                #expect(try client.readResponse().status == 204)  // nothing stray between the two
            }
        }
    }

    @Test func http10ClosesUnlessKeepAlive() async throws {
        try await withTestServer(Self.echo) { port in
            try await offPool {
                let client = try RawClient(port: port)
                try client.send("GET /a HTTP/1.0\r\n\r\n")
                #expect(try client.readResponse().header("connection") == "close")
                #expect(client.isClosedByPeer())
                let keep = try RawClient(port: port)
                try keep.send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                #expect(try keep.readResponse().header("connection") == "keep-alive")
                try keep.send("GET /b HTTP/1.0\r\n\r\n")
                #expect(try keep.readResponse().header("x-target") == "/b")
            }
        }
    }

    @Test func connectionCloseIsHonoured() async throws {
        try await withTestServer(Self.echo) { port in
            try await offPool {
                let client = try RawClient(port: port)
                try client.send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                #expect(try client.readResponse().header("connection") == "close")
                #expect(client.isClosedByPeer())
            }
        }
    }

    @Test func inlineRespondersKeepPipelinedOrderAndStillMayHop() async throws {
        let responder: @Sendable (Request) async -> Response = { request in
            // Every other request suspends (continues off the loop and hops back).
            if request.path.hasSuffix("1") { try? await Task.sleep(for: .milliseconds(10)) }
            return Response(status: 200, body: .bytes(Array(request.path.utf8)))
        }
        try await withTestServer(configure: { $0.inlineResponder = { _ in true } }, responder) { port in
            try await offPool {
                let client = try RawClient(port: port)
                let paths = (0..<20).map { "/p\($0 % 2)/\($0)" }
                try client.send(paths.map { "GET \($0) HTTP/1.1\r\nHost: t\r\n\r\n" }.joined())
                for path in paths { #expect(try client.readResponse().text == path) }
                for i in 0..<200 {
                    try client.send("GET /k/\(i) HTTP/1.1\r\nHost: t\r\n\r\n")
                    #expect(try client.readResponse().text == "/k/\(i)")
                }
            }
        }
    }

    @Test func requestIDIsHonouredOrGenerated() async throws {
        let responder: @Sendable (Request) async -> Response = { request in
            Response(status: 200, body: .bytes(Array((request.headers["x-request-id"] ?? "none").utf8)))
        }
        try await withTestServer(responder) { port in
            try await offPool {
                let client = try RawClient(port: port)
                try client.send("GET / HTTP/1.1\r\nHost: t\r\nX-Request-Id: abc-123\r\n\r\n")
                let given = try client.readResponse()
                #expect(given.text == "abc-123")
                #expect(given.header("x-request-id") == "abc-123")
                try client.send("GET / HTTP/1.1\r\nHost: t\r\nX-Request-Id: bad id\r\n\r\n")
                let generated = try client.readResponse()
                #expect(generated.text != "bad id")
                #expect(generated.header("x-request-id") == generated.text)
            }
        }
    }
}
