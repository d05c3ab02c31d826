import Foundation
import TestSupport

/// A throwaway certificate authority and a leaf for `localhost`/127.0.0.1, made with the openssl
/// CLI in a fresh temporary directory (keys are never committed). Removed on `remove()`.
struct TestCertificates {
    let directory: URL
    var caCertificate: String { directory.appendingPathComponent("ca.pem").path }
    var leafCertificate: String { directory.appendingPathComponent("leaf.pem").path }
    var leafKey: String { directory.appendingPathComponent("leaf.key").path }

    /// Generates `ca.pem`/`ca.key` and `leaf.pem`/`leaf.key` (EC P-256, 30 days) under a new temp dir.
    /// (The openssl runs happen off the cooperative pool.)
    static func make(commonName: String = "Test CA") async throws -> TestCertificates {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reward-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let certs = TestCertificates(directory: dir)
        try await certs.issue(caName: commonName, prefix: "")
        return certs
    }

    /// Issues `<prefix>ca.pem` and `<prefix>leaf.pem/.key` in this directory.
    func issue(caName: String, prefix: String) async throws {
        try await offPool { try issueBlocking(caName: caName, prefix: prefix) }
    }

    private func issueBlocking(caName: String, prefix: String) throws {
        let ext = directory.appendingPathComponent("\(prefix)leaf.ext")
        try """
        subjectAltName=DNS:localhost,IP:127.0.0.1
        basicConstraints=critical,CA:FALSE
        keyUsage=critical,digitalSignature
        extendedKeyUsage=serverAuth
        """.write(to: ext, atomically: true, encoding: .utf8)
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try Self.openssl(
            ["req", "-x509"] + ec + [
                "-keyout", "\(prefix)ca.key", "-out", "\(prefix)ca.pem", "-days", "30", "-subj", "/CN=\(caName)",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            ], in: directory)
        try Self.openssl(
            ["req"] + ec + ["-keyout", "\(prefix)leaf.key", "-out", "\(prefix)leaf.csr", "-subj", "/CN=localhost"],
            in: directory)
        try Self.openssl(
            [
                "x509", "-req", "-in", "\(prefix)leaf.csr", "-CA", "\(prefix)ca.pem", "-CAkey", "\(prefix)ca.key",
                "-CAcreateserial", "-out", "\(prefix)leaf.pem", "-days", "30", "-extfile", "\(prefix)leaf.ext",
            ], in: directory)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func write(_ contents: String, to name: String) throws -> String {
        try contents.write(toFile: path(name), atomically: true, encoding: .utf8)
        return path(name)
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    static func openssl(_ arguments: [String], in directory: URL) throws {
        let result = try Command.runBlocking(["openssl"] + arguments, directory: directory)
        guard result.status == 0 else { throw OpenSSLCommandFailed(arguments: arguments, stderr: result.stderr) }
    }

    struct OpenSSLCommandFailed: Error { let arguments: [String]; let stderr: String }
}
