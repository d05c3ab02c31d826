import HTTPServer
import Testing
import TestSupport

/// Malformed input on live connections: never a crash, never a 500, and the server keeps serving.
struct LiveGarbageTests {
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func mutatedRequestsNeverGet500AndTheServerSurvives() async throws {
        let base = Array("POST /p?q=1 HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello".utf8)
        try await withTestServer(configure: { $0.headerReadTimeout = .milliseconds(300) }, LiveServerTests.echo) { port in
            try await offPool {
                var rng = SplitMix(state: 42)
                var statuses: [Int: Int] = [:]
                for _ in 0..<150 {
                    var bytes = base
                    for _ in 0..<Int.random(in: 1...4, using: &rng) {  // flip, insert or delete bytes
                        let i = Int.random(in: 0..<bytes.count, using: &rng)
                        switch Int.random(in: 0..<3, using: &rng) {
                        case 0: bytes[i] = UInt8.random(in: 0...255, using: &rng)
                        case 1: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: i)
                        default: if bytes.count > 1 { bytes.remove(at: i) }
                        }
                    }
                    let client = try RawClient(port: port, receiveTimeout: 5)
                    try client.send(bytes)
                    client.shutdownWrite()
                    if let response = try? client.readResponse() {
                        statuses[response.status, default: 0] += 1
                        #expect(response.status != 500)
                        #expect(response.status < 500 || [501, 505].contains(response.status))
                    }
                }
                #expect(statuses[400, default: 0] > 0)  // the mutations did hit the parser's rules
                let client = try RawClient(port: port)
                try client.send("GET /still-alive HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(try client.readResponse().status == 200)
            }
        }
    }
}
