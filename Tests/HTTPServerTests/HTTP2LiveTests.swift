import Foundation
import HTTPServer
import Logging
import Testing
import TestSupport
import Locking

/// HTTP/2 and TLS on a real server: curl in every mode, and the PyPI `h2` frame-level suite
/// (Tests/HTTP2Frames/h2_frames.py, installed by `make test`).
@Suite(.serialized)
struct HTTP2LiveTests {
    /// The routes h2_frames.py expects, plus `/same` for the cross-protocol comparison.
    static let routes: @Sendable (Request, HTTPServer) async -> Response = { request, server in
        switch request.path {
        case "/hello":
            return Response(status: 200, headers: ["Content-Type": "text/plain"], body: .bytes(Array("hello".utf8)))
        case "/echo":
            let body = (try? await request.body.collect(upTo: 16 << 20)) ?? []
            return Response(status: 200, headers: ["X-Body-Count": "\(body.count)"], body: .bytes(body))
        case "/big":
            let n = Int(request.query?.split(separator: "=").last ?? "0") ?? 0
            return Response(status: 200, body: .stream { writer in
                var sent = 0
                while sent < n {
                    let count = min(65536, n - sent)
                    try await writer.write((sent..<sent + count).map { UInt8($0 % 251) })
                    sent += count
                }
            })
        case "/slow":
            try? await Task.sleep(for: .milliseconds(300))
            return Response(status: 200, body: .bytes(Array("slow".utf8)))
        case "/shutdown":
            server.triggerGracefulShutdown()
            return Response(status: 200)
        case "/same":
            let body = (try? await request.body.collect(upTo: 1 << 20)) ?? []
            var headers: HTTPHeaders = ["Content-Type": "application/json", "X-Route": "same", "Cache-Control": "no-store"]
            headers.add("Set-Cookie", "a=1")
            headers.add("Set-Cookie", "b=2")
            let text = #"{"method":"\#(request.method)","target":"\#(request.target)","bytes":\#(body.count),"host":"\#(request.headers["host"]?.split(separator: ":").first ?? "")"}"#
            return Response(status: 201, headers: headers, body: .bytes(Array(text.utf8)))
        default:
            return Response(status: 404)
        }
    }

    static func tls(_ certs: TestCertificates) -> (inout HTTPServer.Configuration) -> Void {
        { config in
            config.tls = try! TLSContext(configuration: .init(certificateChainPath: certs.leafCertificate, privateKeyPath: certs.leafKey))
        }
    }

    static func frameSuite(_ arguments: [String]) async throws {
        let script = packageRoot.appendingPathComponent("Tests/HTTP2Frames/h2_frames.py").path
        let result = try await Command.run(["python3", script] + arguments, timeout: .seconds(120))
        #expect(result.status == 0, "h2_frames.py \(arguments.dropFirst().joined(separator: " ")):\n\(result.stdout)\(result.stderr)")
    }

    @Test func h2FrameSuiteOverH2C() async throws {
        try await withServer(Self.routes) { port in try await Self.frameSuite([String(port)]) }
    }

    @Test func h2FrameSuiteOverTLS() async throws {
        let certs = try await TestCertificates.make()
        defer { certs.remove() }
        try await withServer(configure: Self.tls(certs), Self.routes) { port in
            try await Self.frameSuite([String(port), "--tls", certs.caCertificate])
        }
    }

    @Test func inlineRoutesAnswerOverH2C() async throws {
        // /slow suspends: started on the loop, it finishes on the task pool and still answers.
        try await withServer(configure: { $0.inlineResponder = { $0.path == "/hello" || $0.path == "/slow" } }, Self.routes) { port in
            // One curl per URL: curl 7.88 cannot reuse a prior-knowledge connection (curl/curl#10634).
            for path in ["/hello", "/slow", "/hello"] {
                let result = try await Command.run(["curl", "-sS", "--max-time", "10", "--http2-prior-knowledge", "http://127.0.0.1:\(port)\(path)"])
                #expect(result.stdout == (path == "/slow" ? "slow" : "hello"), "\(result.stderr)")
            }
            // Many inline streams on one connection (h2 frame suite's client).
            try await Self.frameSuite([String(port), "--only", "test_fifty_concurrent_streams"])
        }
    }

    @Test func everyHTTP2ExchangeIsInTheAccessLog() async throws {
        let records = Locked<[(message: String, metadata: Logger.Metadata)]>([])
        let logger = Logger(label: "test") { _ in CollectingLogHandler(records: records) }
        try await withServer(configure: { $0.accessLog = true }, logger: logger, Self.routes) { port in
            _ = try await Command.run(["curl", "-sS", "--http2-prior-knowledge", "-H", "X-Request-Id: abc-1", "http://127.0.0.1:\(port)/hello"])
            _ = try await Command.run(["curl", "-sS", "--http2", "http://127.0.0.1:\(port)/nothing"])
        }
        let lines = records.get().filter { $0.message == "request" }.map(\.metadata)
        #expect(lines.count == 2)
        #expect(lines.first?["http.status"]?.description == "200")
        #expect(lines.first?["http.version"]?.description == "2")
        #expect(lines.first?["http.bytes"]?.description == "5")
        #expect(lines.first?["request.id"]?.description == "abc-1")
        #expect(lines.last?["http.path"]?.description == "/nothing" && lines.last?["http.status"]?.description == "404")
    }

    @Test func gracefulShutdownWithAnOpenStream() async throws {
        try await withServer(Self.routes) { port in try await Self.frameSuite([String(port), "--shutdown"]) }
    }

    /// One curl exchange: protocol version, status, headers (lowercased, minus per-response ones), body.
    struct Exchange: Equatable {
        var version = "", status = 0, headers: [String] = [], body = ""
    }

    static func curl(_ url: String, _ mode: [String], body: String? = nil) async throws -> Exchange {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("curl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var args = ["curl", "-sS", "--max-time", "20", "-D", dir.appendingPathComponent("h").path,
                    "-o", dir.appendingPathComponent("b").path, "-w", "%{http_version}"] + mode
        if let body { args += ["--data-binary", body, "-H", "Content-Type: text/plain"] }
        let result = try await Command.run(args + [url])
        guard result.status == 0 else { throw CurlFailed(arguments: args, stderr: result.stderr) }
        let head = try String(contentsOf: dir.appendingPathComponent("h"), encoding: .utf8)
        // The last header block (after a 101 there are two).
        let block = head.components(separatedBy: "\r\n\r\n").filter { !$0.isEmpty }.last ?? ""
        let lines = block.components(separatedBy: "\r\n")
        let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        let ignored: Set<String> = ["date", "x-request-id"]
        let headers = lines.dropFirst().compactMap { line -> String? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let name = line[..<colon].lowercased()
            return ignored.contains(name) ? nil : "\(name):\(line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))"
        }.sorted()
        let body = try String(contentsOf: dir.appendingPathComponent("b"), encoding: .utf8)
        return Exchange(version: result.stdout, status: status, headers: headers, body: body)
    }

    struct CurlFailed: Error { let arguments: [String]; let stderr: String }

    @Test func sameRouteAnswersIdenticallyOverHTTP1H2CAndH2() async throws {
        let certs = try await TestCertificates.make()
        defer { certs.remove() }
        let payload = String(repeating: "x", count: 100_000)
        let plain = try await withServer(Self.routes) { port in
            let url = "http://127.0.0.1:\(port)/same?q=1"
            return [
                "h1": try await Self.curl(url, ["--http1.1"], body: payload),
                "h2c prior knowledge": try await Self.curl(url, ["--http2-prior-knowledge"], body: payload),
                "h2c upgrade": try await Self.curl(url, ["--http2"]),
            ]
        }
        let secure = try await withServer(configure: Self.tls(certs), Self.routes) { port in
            let url = "https://localhost:\(port)/same?q=1"
            return [
                "tls h2": try await Self.curl(url, ["--cacert", certs.caCertificate, "--http2"], body: payload),
                "tls http/1.1": try await Self.curl(url, ["--cacert", certs.caCertificate, "--http1.1"], body: payload),
            ]
        }
        let exchanges = plain.merging(secure) { a, _ in a }
        #expect(exchanges["h1"]?.version == "1.1")
        #expect(exchanges["h2c prior knowledge"]?.version == "2")
        #expect(exchanges["h2c upgrade"]?.version == "2")
        #expect(exchanges["tls h2"]?.version == "2")
        #expect(exchanges["tls http/1.1"]?.version == "1.1")
        let reference = try #require(exchanges["h1"])
        #expect(reference.status == 201)
        #expect(reference.body.contains(#""bytes":100000"#))
        #expect(reference.headers.contains("set-cookie:a=1") && reference.headers.contains("set-cookie:b=2"))
        for (mode, exchange) in exchanges where mode != "h2c upgrade" {
            #expect(exchange.status == reference.status, "\(mode)")
            #expect(exchange.headers == reference.headers, "\(mode)")
            #expect(exchange.body.replacingOccurrences(of: "localhost", with: "127.0.0.1") == reference.body, "\(mode)")
        }
        // The upgrade request carries no body (curl only upgrades bodiless requests), so compare all else.
        let upgraded = try #require(exchanges["h2c upgrade"])
        #expect(upgraded.status == 201 && upgraded.headers == reference.headers.map { $0.hasPrefix("content-length:") ? "content-length:\(upgraded.body.utf8.count)" : $0 }.sorted())
        #expect(upgraded.body.contains(#""method":"GET","target":"/same?q=1","bytes":0"#))
    }
}
