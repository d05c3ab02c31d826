#if canImport(Glibc)
import Glibc
#endif
import Foundation
import HTTPServer
import Testing
import TestSupport

@testable import RewardAPI

/// NDJSON scoring through a real socket: a body far larger than the server's buffers, generated
/// while it is sent (never held in memory), read back by a client that first stalls, then reads
/// slowly. The server's buffer peaks must stay at its watermarks, whatever the body size.
struct NDJSONLiveTests {
    static let lines = 8_000
    static let padding = String(repeating: " ", count: 1600)  // ≈ 13 MB in, ≈ 0.8 MB out

    /// Line `i` (1-based); every 1,000th is invalid, so error line numbers check the order.
    static func line(_ i: Int) -> String {
        if i % 1000 == 0 { return #"{"items":[{"features_b64":"!!!!"}]}"# + "\n" }
        let v = Base64Floats.encode([Float(i % 7), 1, -1, 0.5])
        return #"{"items":[{"features_b64":"\#(v)"}]}\#(padding)"# + "\n"
    }

    @Test func largeBodyAndSlowReaderStayWithinTheWatermarks() async throws {
        let (output, peaks, configuration) = try await Self.withServer { port in try await Self.exchange(port: port) }
        let text = String(decoding: output, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 200"), "\(text.prefix(200))")
        let body = try #require(text.range(of: "\r\n\r\n")).upperBound
        Self.checkAnswers(Self.dechunk(text[body...]))
        #expect(peaks.requestBody > 0)  // the body was streamed, not buffered whole
        // The backlog passes the watermark by at most one read (an upload reads in larger pieces).
        #expect(peaks.requestBody <= configuration.requestBodyHighWatermark + configuration.streamingReadBufferSize, "\(peaks)")
        #expect(peaks.output <= configuration.outputHighWatermark + 160 * 1024, "\(peaks)")
    }

    /// The same over h2c (curl with prior knowledge, the body piped in as it is generated): the
    /// stream's flow-control window bounds what the server holds.
    @Test func largeBodyOverH2CStaysWithinTheWindow() async throws {
        let (answers, peaks, configuration) = try await Self.withServer { port in try await Self.curlH2C(port: port) }
        Self.checkAnswers(answers)
        #expect(peaks.requestBody > 0)
        #expect(peaks.requestBody <= Int(configuration.http2.initialStreamWindowSize) + 64 * 1024, "\(peaks)")
        #expect(peaks.output <= configuration.outputHighWatermark + 160 * 1024, "\(peaks)")
    }

    /// An interactive client: each line's answer arrives before the next line is sent (the body is
    /// still open), so results stream as lines arrive rather than when the upload ends.
    @Test func eachLineIsAnsweredBeforeTheNextArrives() async throws {
        let (answers, _, _) = try await Self.withServer { port in
            try await offPool { () -> Int in
                let fd = try Self.connectSocket(port: port)
                defer { close(fd) }
                var timeout = timeval(tv_sec: 10, tv_usec: 0)  // a server that waits for the body's end fails here
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                try Self.writeAll(fd, Array("POST /v1/score HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n".utf8))
                var received: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 4096)
                for i in 1...5 {
                    let text = Self.line(i)
                    try Self.writeAll(fd, Array("\(String(text.utf8.count, radix: 16))\r\n\(text)\r\n".utf8))
                    while String(decoding: received, as: UTF8.self).components(separatedBy: #"{"scores":"#).count - 1 < i {
                        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                        guard n > 0 else { throw Self.SocketError(call: "read (no answer to line \(i))", errno: errno) }
                        received += buffer[0..<n]
                    }
                }
                try Self.writeAll(fd, Array("0\r\n\r\n".utf8))
                return 5
            }
        }
        #expect(answers == 5)
    }

    static func checkAnswers(_ text: String) {
        var results = 0
        var errorLines: [Int] = []
        for line in text.split(separator: "\n") {
            if line.hasPrefix(#"{"scores":"#) {
                results += 1
            } else if line.hasPrefix(#"{"line":"#) {
                errorLines.append(Int(line.dropFirst(8).prefix { $0.isNumber }) ?? -1)
            }
        }
        #expect(results + errorLines.count == lines)
        #expect(errorLines == Array(stride(from: 1000, through: lines, by: 1000)))
    }

    static func withServer<T: Sendable>(
        _ body: @Sendable (Int) async throws -> T
    ) async throws -> (T, HTTPServer.BufferPeaks, HTTPServer.Configuration) {
        let h = try APITestHarness()
        var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0, loopCount: 1)
        configuration.accessLog = false
        configuration.bodyLimit = { _ in nil }  // as `reward serve` does for NDJSON
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let server = HTTPServer(configuration: configuration, responder: h.app, onServerRunning: { portSink.yield($0) })
        let value = try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await server.run(); return nil }
            var it = ports.makeAsyncIterator()
            let port = try #require(await it.next())
            defer { server.triggerGracefulShutdown() }
            return try await body(port)
        }
        return (value, server.bufferPeaks, configuration)
    }

    /// curl --http2-prior-knowledge with the body on its stdin, written by a thread as generated.
    static func curlH2C(port: Int) async throws -> String {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("ndjson-h2-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let status = try await offPool { () -> Int32 in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["curl", "-sS", "--http2-prior-knowledge", "--data-binary", "@-", "-H", "Content-Type: application/x-ndjson",
                                 "-o", output.path, "http://127.0.0.1:\(port)/v1/score"]
            let input = Pipe()
            process.standardInput = input
            try process.run()
            var batch = ""
            for i in 1...lines {
                batch += line(i)
                if batch.utf8.count > 32 * 1024 || i == lines {
                    input.fileHandleForWriting.write(Data(batch.utf8))
                    batch = ""
                }
            }
            try input.fileHandleForWriting.close()
            process.waitUntilExit()
            return process.terminationStatus
        }
        #expect(status == 0)
        return try String(contentsOf: output, encoding: .utf8)
    }

    /// Sends the chunked request from one thread while another stalls for a while, then reads
    /// everything in small slow reads; returns the raw response.
    static func exchange(port: Int) async throws -> [UInt8] {
        let fd = try connectSocket(port: port)
        defer { close(fd) }
        // Blocking socket calls run on threads of their own: on the cooperative pool they would
        // starve the server's tasks (2 cores, 2 pool threads).
        async let response = offPool { () -> [UInt8] in
            usleep(300_000)  // the slow reader: nothing read at first
            var all: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 8192)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                all += buffer[0..<n]
                if all.count % 16 == 0 { usleep(100) }
                if all.suffix(5) == Array("0\r\n\r\n".utf8) { break }
            }
            return all
        }
        try await offPool {
            try writeAll(fd, Array("POST /v1/score HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n".utf8))
            var batch = ""
            for i in 1...lines {
                batch += line(i)
                if batch.utf8.count > 32 * 1024 || i == lines {
                    try writeAll(fd, Array("\(String(batch.utf8.count, radix: 16))\r\n\(batch)\r\n".utf8))
                    batch = ""
                }
            }
            try writeAll(fd, Array("0\r\n\r\n".utf8))
        }
        return await response
    }

    static func dechunk(_ s: Substring) -> String {
        var out = ""
        var rest = s
        while let crlf = rest.range(of: "\r\n"), let size = Int(rest[..<crlf.lowerBound], radix: 16), size > 0 {
            let start = crlf.upperBound
            let end = rest.utf8.index(start, offsetBy: size)
            out += rest[start..<end]
            rest = rest[rest.utf8.index(end, offsetBy: 2)...]
        }
        return out
    }

    struct SocketError: Error { let call: String; let errno: Int32 }

    static func connectSocket(port: Int) throws -> Int32 {
        // A small receive window: the server cannot park its output in our kernel.
        try LoopbackSocket.connect(port: port, receiveBuffer: 32 * 1024)
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw SocketError(call: "write", errno: errno) }
            offset += n
        }
    }
}
