#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// The real `reward serve` binary as a subprocess: graceful SIGTERM and a curl round trip.
struct ServeProcessTests {
    /// A running `reward serve --port 0`; the port comes from its one stdout line.
    final class ServeProcess {
        let process = Process()
        let port: Int
        /// Without DATABASE_URL (`make test` sets it) each process gets its own private cluster.
        private let stateDirectory: URL?

        /// `stderr`: a file that receives the process's log lines (default: inherited).
        init(_ extraArguments: [String] = [], stderr: URL? = nil, environment: [String: String]? = nil) throws {
            let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
                .deletingLastPathComponent().appendingPathComponent("reward")
            guard FileManager.default.isExecutableFile(atPath: binary.path) else {
                throw ProcessError(description: "reward binary not found at \(binary.path) (swift build first)")
            }
            process.executableURL = binary
            var arguments = ["serve", "--port", "0", "--no-access-log", "--log-level", "warning"] + extraArguments
            if (ProcessInfo.processInfo.environment["DATABASE_URL"] ?? "").isEmpty {
                let directory = FileManager.default.temporaryDirectory.appendingPathComponent("reward-serve-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                stateDirectory = directory
                arguments += ["--state-dir", directory.path]
            } else {
                stateDirectory = nil
            }
            process.arguments = arguments
            if let stderr {
                _ = FileManager.default.createFile(atPath: stderr.path, contents: nil)
                process.standardError = try FileHandle(forWritingTo: stderr)
            }
            if let environment { process.environment = environment }
            let stdout = Pipe()
            process.standardOutput = stdout
            try process.run()
            // Read the "listening on http://127.0.0.1:PORT" line.
            var line = Data()
            let handle = stdout.fileHandleForReading
            while !line.contains(10) {
                let byte = handle.readData(ofLength: 1)
                guard !byte.isEmpty else { throw ProcessError(description: "reward serve exited before listening") }
                line.append(byte)
            }
            let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let portText = text.split(separator: ":").last, let port = Int(portText) else {
                throw ProcessError(description: "unexpected first line: \(text)")
            }
            self.port = port
        }

        func signal(_ number: Int32) { kill(process.processIdentifier, number) }

        /// Waits for exit (at most `seconds`), returning the exit status.
        func waitForExit(seconds: Double = 30) -> Int32? {
            let deadline = Date().addingTimeInterval(seconds)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            return process.isRunning ? nil : process.terminationStatus
        }

        deinit {
            if process.isRunning {
                kill(process.processIdentifier, SIGTERM)
                if waitForExit(seconds: 20) == nil {
                    kill(process.processIdentifier, SIGKILL)
                    process.waitUntilExit()
                }
            }
            if let stateDirectory { try? FileManager.default.removeItem(at: stateDirectory) }
        }
    }

    struct ProcessError: Error, CustomStringConvertible { let description: String }

    @Test func sigtermLetsTheInFlightRequestFinishAndExitsZero() async throws {
        try await blocking {
            let server = try ServeProcess(["--debug-routes"])
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
        try await blocking {
            let server = try ServeProcess()
            server.signal(SIGINT)
            #expect(server.waitForExit(seconds: 10) == 0)
        }
    }

    @Test func curlGetsHealthzAndInfo() async throws {
        try await blocking {
            let server = try ServeProcess()
            let health = try Self.curl("-s", "-i", "http://127.0.0.1:\(server.port)/healthz")
            #expect(health.hasPrefix("HTTP/1.1 200 OK"))
            #expect(health.hasSuffix(#"{"status":"ok"}"#))
            let info = try Self.curl("-s", "http://127.0.0.1:\(server.port)/info")
            #expect(info.contains(#""version":"#))
            #expect(info.contains(#""max_body_bytes":33554432"#))
            server.signal(SIGTERM)
            #expect(server.waitForExit() == 0)
        }
    }

    static func curl(_ arguments: String...) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["curl", "--max-time", "10"] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ProcessError(description: "curl exited \(process.terminationStatus)") }
        return String(decoding: data, as: UTF8.self)
    }
}
