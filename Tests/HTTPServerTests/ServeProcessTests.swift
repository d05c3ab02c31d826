#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import TestSupport

/// The real `reward serve` binary as a subprocess: graceful SIGTERM and a curl round trip.
struct ServeProcessTests {
    @Test func sigtermLetsTheInFlightRequestFinishAndExitsZero() async throws {
        try await offPool {
            let server = try ServeProcess(serving: ["--debug-routes"])
            let idle = try RawClient(port: server.port)  // an idle keep-alive connection
            try idle.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try idle.readResponse().status == 200)
            let client = try RawClient(port: server.port)
            try client.send("GET /_debug/sleep?ms=800&stream HTTP/1.1\r\nHost: t\r\n\r\n")
            try client.waitForBytes()  // the response has started: the request is in flight
            server.signal(SIGTERM)
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "started\nslept 800 ms\n")
            #expect(idle.isClosedByPeer())
            #expect(server.waitForExit() == 0)
        }
    }

    @Test func sigintWithNothingInFlightExitsZeroQuickly() async throws {
        try await offPool {
            let server = try ServeProcess(serving: [])
            server.signal(SIGINT)
            #expect(server.waitForExit(seconds: 10) == 0)
        }
    }

    @Test func curlGetsHealthzAndInfo() async throws {
        try await offPool {
            let server = try ServeProcess(serving: [])
            let health = try curl(["-s", "-i", "http://127.0.0.1:\(server.port)/healthz"])
            #expect(health.hasPrefix("HTTP/1.1 200 OK"))
            #expect(health.hasSuffix(#"{"status":"ok"}"#))
            let info = try curl(["-s", "http://127.0.0.1:\(server.port)/info"])
            #expect(info.contains(#""version":"#))
            #expect(info.contains(#""max_body_bytes":33554432"#))
            server.signal(SIGTERM)
            #expect(server.waitForExit() == 0)
        }
    }
}
