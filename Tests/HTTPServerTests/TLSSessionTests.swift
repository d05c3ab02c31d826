import Foundation
import Testing

@testable import HTTPServer

/// TLS engine tests without sockets: a client `TLSSession` and a server one exchange
/// ciphertext through memory, with a CA and leaf generated for each test.
struct TLSSessionTests {
    /// Moves ciphertext both ways until neither side has anything to send.
    static func pump(_ client: TLSSession, _ server: TLSSession, clientPlain: inout [UInt8], serverPlain: inout [UInt8]) throws {
        for _ in 0..<20 {
            var toServer: [UInt8] = []
            client.drainCiphertext(into: &toServer)
            toServer.withUnsafeBytes { server.feed($0) }
            _ = try server.read(into: &serverPlain)
            var toClient: [UInt8] = []
            server.drainCiphertext(into: &toClient)
            toClient.withUnsafeBytes { client.feed($0) }
            _ = try client.read(into: &clientPlain)
            if toServer.isEmpty && toClient.isEmpty && !client.hasPendingCiphertext { return }
        }
    }

    static func connect(_ server: TLSContext, trusting ca: String, alpn: [String]) throws -> (TLSSession, TLSSession) {
        let clientContext = try SSLContext(clientTrusting: ca, applicationProtocols: alpn)
        let client = try TLSSession(context: clientContext, mode: .client(serverName: "localhost"))
        let serverSession = try server.makeSession()
        var a: [UInt8] = [], b: [UInt8] = []
        _ = try client.read(into: &a)  // starts the handshake: ClientHello
        try pump(client, serverSession, clientPlain: &a, serverPlain: &b)
        return (client, serverSession)
    }

    @Test func handshakeNegotiatesH2AndCarriesDataBothWays() async throws {
        let certs = try await TestCertificates.make()
        defer { certs.remove() }
        let context = try TLSContext(configuration: .init(certificateChainPath: certs.leafCertificate, privateKeyPath: certs.leafKey))
        let (client, server) = try Self.connect(context, trusting: certs.caCertificate, alpn: ["h2", "http/1.1"])
        #expect(client.isHandshakeComplete && server.isHandshakeComplete)
        #expect(server.negotiatedProtocol == "h2")
        #expect(client.negotiatedProtocol == "h2")
        #expect(server.protocolVersion == "TLSv1.3")

        var clientPlain: [UInt8] = [], serverPlain: [UInt8] = []
        let big = (0..<100_000).map { UInt8(truncatingIfNeeded: $0) }
        try client.write(Array("hello".utf8))
        try server.write(big)
        try Self.pump(client, server, clientPlain: &clientPlain, serverPlain: &serverPlain)
        #expect(serverPlain == Array("hello".utf8))
        #expect(clientPlain == big)

        client.close()
        var toServer: [UInt8] = []
        client.drainCiphertext(into: &toServer)
        toServer.withUnsafeBytes { server.feed($0) }
        #expect(try server.read(into: &serverPlain) == .closed)
    }

    @Test func alpnFallsBackToHTTP1AndToNoneWithoutALPN() async throws {
        let certs = try await TestCertificates.make()
        defer { certs.remove() }
        let context = try TLSContext(configuration: .init(certificateChainPath: certs.leafCertificate, privateKeyPath: certs.leafKey))
        let (_, http1) = try Self.connect(context, trusting: certs.caCertificate, alpn: ["http/1.1"])
        #expect(http1.isHandshakeComplete)
        #expect(http1.negotiatedProtocol == "http/1.1")
        let (_, plain) = try Self.connect(context, trusting: certs.caCertificate, alpn: [])
        #expect(plain.isHandshakeComplete)
        #expect(plain.negotiatedProtocol == nil)
    }

    @Test func unknownALPNOnlyFailsTheHandshake() async throws {
        let certs = try await TestCertificates.make()
        defer { certs.remove() }
        let context = try TLSContext(configuration: .init(certificateChainPath: certs.leafCertificate, privateKeyPath: certs.leafKey))
        let error = #expect(throws: TLSError.self) {
            _ = try Self.connect(context, trusting: certs.caCertificate, alpn: ["spdy/3"])
        }
        #expect(error?.code == .handshake)
    }

    @Test func clientRejectsAServerItDoesNotTrust() async throws {
        let certs = try await TestCertificates.make()
        defer { certs.remove() }
        try await certs.issue(caName: "Other CA", prefix: "other-")
        let context = try TLSContext(configuration: .init(certificateChainPath: certs.leafCertificate, privateKeyPath: certs.leafKey))
        #expect(throws: TLSError.self) {
            _ = try Self.connect(context, trusting: certs.path("other-ca.pem"), alpn: ["h2"])
        }
    }

    @Test func badCredentialsFailWithAClearError() async throws {
        let certs = try await TestCertificates.make()
        defer { certs.remove() }
        try await certs.issue(caName: "Other CA", prefix: "other-")
        let garbage = try certs.write("not a pem file\n", to: "garbage.pem")
        func failure(_ cert: String, _ key: String) -> TLSError? {
            #expect(throws: TLSError.self) {
                _ = try TLSContext(configuration: .init(certificateChainPath: cert, privateKeyPath: key))
            }
        }
        let missing = failure(certs.path("missing.pem"), certs.leafKey)
        #expect(missing?.code == .certificate)
        #expect(missing?.message.contains("missing.pem") == true)
        #expect(missing?.message.contains("No such file") == true)
        #expect(failure(garbage, certs.leafKey)?.code == .certificate)
        let badKey = failure(certs.leafCertificate, garbage)
        #expect(badKey?.code == .privateKey)
        #expect(badKey?.message.contains("garbage.pem") == true)
        let mismatch = failure(certs.leafCertificate, certs.path("other-leaf.key"))
        #expect(mismatch?.code == .keyMismatch)

        try TestCertificates.openssl(
            ["pkey", "-in", "leaf.key", "-aes256", "-passout", "pass:secret", "-out", "encrypted.key"],
            in: certs.directory)
        #expect(failure(certs.leafCertificate, certs.path("encrypted.key"))?.code == .privateKey)
    }

    @Test func reloadAffectsNewHandshakesOnly() async throws {
        let certs = try await TestCertificates.make()
        defer { certs.remove() }
        try await certs.issue(caName: "Next CA", prefix: "next-")
        let chain = certs.path("serving.pem"), key = certs.path("serving.key")
        try FileManager.default.copyItem(atPath: certs.leafCertificate, toPath: chain)
        try FileManager.default.copyItem(atPath: certs.leafKey, toPath: key)
        let context = try TLSContext(configuration: .init(certificateChainPath: chain, privateKeyPath: key))
        let (oldClient, oldServer) = try Self.connect(context, trusting: certs.caCertificate, alpn: ["h2"])

        // A broken rotation keeps the old credentials.
        try "junk".write(toFile: key, atomically: true, encoding: .utf8)
        #expect(throws: TLSError.self) { try context.reload() }
        _ = try Self.connect(context, trusting: certs.caCertificate, alpn: ["h2"])

        // The real rotation: new handshakes see the new chain, the open session keeps working.
        try FileManager.default.removeItem(atPath: chain)
        try FileManager.default.removeItem(atPath: key)
        try FileManager.default.copyItem(atPath: certs.path("next-leaf.pem"), toPath: chain)
        try FileManager.default.copyItem(atPath: certs.path("next-leaf.key"), toPath: key)
        try context.reload()
        #expect(throws: TLSError.self) { _ = try Self.connect(context, trusting: certs.caCertificate, alpn: ["h2"]) }
        let (_, fresh) = try Self.connect(context, trusting: certs.path("next-ca.pem"), alpn: ["h2"])
        #expect(fresh.negotiatedProtocol == "h2")

        var clientPlain: [UInt8] = [], serverPlain: [UInt8] = []
        try oldClient.write(Array("still here".utf8))
        try oldServer.write(Array("yes".utf8))
        try Self.pump(oldClient, oldServer, clientPlain: &clientPlain, serverPlain: &serverPlain)
        #expect(serverPlain == Array("still here".utf8))
        #expect(clientPlain == Array("yes".utf8))
    }
}
