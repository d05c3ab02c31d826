#if canImport(Glibc)
import Glibc
#endif
import Foundation
import HTTPServer
import Testing
import TestSupport
import Locking

/// TLS and HTTP/2 connection lifetimes on a live server, and the `reward serve` TLS flags.
@Suite(.serialized)
struct TLSLiveTests {
    static let hello: @Sendable (Request, HTTPServer) async -> Response = { _, _ in
        Response(status: 200, body: .bytes(Array("hello".utf8)))
    }

    @Test func silentClientIsClosedAfterTheHandshakeTimeout() async throws {
        let certs = try await TestCertificates.make()
        defer { certs.remove() }
        try await withServer(configure: { config in
            config.tls = try! TLSContext(configuration: .init(certificateChainPath: certs.leafCertificate, privateKeyPath: certs.leafKey))
            config.tlsHandshakeTimeout = .milliseconds(200)
        }, Self.hello) { port in
            try await offPool {
                let client = try RawClient(port: port, receiveTimeout: 5)
                try client.send([0x16, 0x03, 0x01])  // the start of a ClientHello, then nothing
                let start = ContinuousClock.now
                #expect(try client.readToEnd().isEmpty)
                #expect(ContinuousClock.now - start < .seconds(4))
            }
        }
    }

    @Test func idleHTTP2ConnectionGetsGoAwayThenClose() async throws {
        try await withServer(configure: { $0.keepAliveTimeout = .milliseconds(200) }, Self.hello) { port in
            try await offPool {
                let client = try RawClient(port: port, receiveTimeout: 5)
                try client.send(HTTP2Upgrade.preface + H2Frame.settings().bytes + H2Frame.settingsAck.bytes)
                var bytes = try client.readToEnd()
                let frames = H2Frame.parse(&bytes)
                #expect(frames.last?.goAway?.code == 0, "idle timeout ends with GOAWAY(NO_ERROR)")
            }
        }
    }

    @Test func nonReadingHTTP2ClientSuspendsTheProducer() async throws {
        let produced = Locked(0)
        let responder: @Sendable (Request, HTTPServer) async -> Response = { _, _ in
            Response(status: 200, body: .stream { writer in
                for _ in 0..<1600 {  // 100 MiB if nothing held it back
                    try await writer.write([UInt8](repeating: 1, count: 64 * 1024))
                    produced.withLock { $0 += 64 * 1024 }
                }
            })
        }
        try await withServer(responder) { port in
            try await offPool {
                let client = try RawClient(port: port, receiveTimeout: 5)
                // Windows wide open, then never read: only the server's output bound can stop it.
                try client.send(
                    HTTP2Upgrade.preface + H2Frame.settings([(0x4, 0x7fff_ffff)]).bytes + H2Frame.settingsAck.bytes
                        + H2Frame.windowUpdate(stream: 0, 0x7fff_0000).bytes + H2Frame.request(stream: 1).bytes)
                // Wait until production stops (a loaded machine may take a while to fill the buffers);
                // a producer that is never suspended runs on to 100 MiB and fails the bound below.
                var first = -1
                var second = produced.get()
                for _ in 0..<40 where second != first || second == 0 {
                    first = second
                    usleep(300_000)
                    second = produced.get()
                }
                #expect(second > 0 && second == first, "the producer is suspended while the client does not read")
                // Socket buffers plus the connection's watermark and the stream's high-water mark.
                #expect(second < 32 << 20, "produced \(second) bytes for a client that read nothing")
            }
        }
    }

    @Test func plaintextClientOnTheTLSPortIsRefused() async throws {
        let certs = try await TestCertificates.make()
        defer { certs.remove() }
        try await withServer(configure: { config in
            config.tls = try! TLSContext(configuration: .init(certificateChainPath: certs.leafCertificate, privateKeyPath: certs.leafKey))
        }, Self.hello) { port in
            let result = try await Command.run(["curl", "-sS", "--max-time", "5", "http://127.0.0.1:\(port)/"])
            #expect(result.status != 0)
            // and the server still serves TLS
            let ok = try await Command.run(["curl", "-sS", "--max-time", "5", "--cacert", certs.caCertificate, "https://localhost:\(port)/"])
            #expect(ok.stdout == "hello")
        }
    }

    @Test func rewardServeRejectsABadKeyAtStartup() async throws {
        let certs = try await TestCertificates.make()
        defer { certs.remove() }
        try await certs.issue(caName: "Other", prefix: "other-")
        let result = try await Command.run([
            ServeProcess.binary.path, "serve", "--port", "0", "--tls-cert", certs.leafCertificate, "--tls-key", certs.path("other-leaf.key"),
        ], timeout: .seconds(20))
        #expect(result.status != 0)
        #expect(result.stderr.contains("does not match the certificate"), "\(result.stderr)")
        let missing = try await Command.run([ServeProcess.binary.path, "serve", "--port", "0", "--tls-cert", certs.leafCertificate])
        #expect(missing.status != 0 && missing.stderr.contains("--tls-key"))
    }

    @Test func rewardServeReloadsTheCertificateOnSIGHUP() async throws {
        let certs = try await TestCertificates.make()
        defer { certs.remove() }
        try await certs.issue(caName: "Next CA", prefix: "next-")
        let chain = certs.path("serving.pem"), key = certs.path("serving.key")
        try FileManager.default.copyItem(atPath: certs.leafCertificate, toPath: chain)
        try FileManager.default.copyItem(atPath: certs.leafKey, toPath: key)

        // With DATABASE_URL (make test) the store is the test cluster; without, a private one in the temp dir.
        let server = try await ServeProcess.start(
            ["--no-access-log", "--tls-cert", chain, "--tls-key", key, "--state-dir", certs.path("state")],
            stderr: URL(fileURLWithPath: certs.path("stderr.log")))
        let port = server.port
        let url = "https://localhost:\(port)/healthz"
        func get(trusting ca: String) async throws -> CommandResult {
            try await Command.run(["curl", "-sS", "--max-time", "5", "--http2", "--cacert", ca, url])
        }
        #expect(try await get(trusting: certs.caCertificate).status == 0)

        try FileManager.default.removeItem(atPath: chain)
        try FileManager.default.removeItem(atPath: key)
        try FileManager.default.copyItem(atPath: certs.path("next-leaf.pem"), toPath: chain)
        try FileManager.default.copyItem(atPath: certs.path("next-leaf.key"), toPath: key)
        server.signal(SIGHUP)
        var reloaded = false
        for _ in 0..<100 where !reloaded {
            try await Task.sleep(for: .milliseconds(50))
            reloaded = try await get(trusting: certs.path("next-ca.pem")).status == 0
        }
        #expect(reloaded, "after SIGHUP new handshakes present the new certificate")
        #expect(try await get(trusting: certs.caCertificate).status != 0)
        #expect(server.process.isRunning)
        await server.stop()
    }
}
