import HTTPServer
import InMemoryLogging
import Logging
import Testing
import TestSupport

struct AccessLogTests {
    @Test func oneLinePerRequestWithMethodPathStatusBytesDurationAndRequestID() async throws {
        let handler = InMemoryLogHandler()
        let logger = Logger(label: "access", factory: { _ in handler })
        try await withTestServer(logger: logger, LiveServerTests.echo) { port in
            try await offPool {
                let client = try RawClient(port: port)
                try client.send("POST /logged?x=1 HTTP/1.1\r\nHost: t\r\nX-Request-Id: req-42\r\nContent-Length: 3\r\n\r\nabc")
                #expect(try client.readResponse().status == 200)
                try client.send("GET /bad\u{1} HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(try client.readResponse().status == 400)
            }
        }
        let lines = handler.entries.filter { $0.message == "request" }
        #expect(lines.count == 2)
        let first = try #require(lines.first?.metadata)
        #expect(first["http.method"] == "POST")
        #expect(first["http.path"] == "/logged?x=1")
        #expect(first["http.status"]?.description == "200")
        #expect(first["http.bytes"]?.description == "3")
        #expect(first["request.id"] == "req-42")
        #expect(first["http.duration_ms"].flatMap { Double("\($0)") } != nil)
        #expect(lines.last?.metadata["http.status"]?.description == "400")
    }

    /// What a responder adds (e.g. the authenticated key's id) reaches the line on both protocols; the
    /// transport's own fields cannot be overwritten by it.
    @Test func responderLogFieldsJoinTheLineOnHTTP1AndHTTP2() async throws {
        let handler = InMemoryLogHandler()
        let logger = Logger(label: "access", factory: { _ in handler })
        let responder: @Sendable (Request) async -> Response = { _ in
            var response = Response(status: 200, body: .bytes(Array("ok".utf8)))
            response.logFields = [("auth.key_id", "k_123"), ("http.status", "999")]
            return response
        }
        try await withTestServer(logger: logger, responder) { port in
            _ = try await Command.run(["curl", "-sS", "http://127.0.0.1:\(port)/a"])
            _ = try await Command.run(["curl", "-sS", "--http2-prior-knowledge", "http://127.0.0.1:\(port)/b"])
        }
        let lines = handler.entries.filter { $0.message == "request" }.map(\.metadata)
        #expect(lines.count == 2)
        for line in lines {
            #expect(line["auth.key_id"] == "k_123")
            #expect(line["http.status"]?.description == "200")
        }
        #expect(lines.contains { $0["http.version"] == "2" })
    }

    @Test func accessLogCanBeTurnedOff() async throws {
        let handler = InMemoryLogHandler()
        let logger = Logger(label: "access", factory: { _ in handler })
        try await withTestServer(configure: { $0.accessLog = false }, logger: logger, LiveServerTests.echo) { port in
            try await offPool {
                let client = try RawClient(port: port)
                try client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(try client.readResponse().status == 200)
            }
        }
        #expect(handler.entries.filter { $0.message == "request" }.isEmpty)
    }
}
