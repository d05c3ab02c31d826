import Testing
import Locking

@testable import HTTPServer

/// Response fields that change in every response are sent "never indexed": they would only churn
/// the HPACK table of both ends. Repeated fields (content-type, server) are indexed as before.
struct HTTP2HeaderIndexingTests {
    @Test func perResponseFieldsStayOutOfTheHPACKTable() async throws {
        let counter = Locked(0)
        let h = try H2Harness.connected { _ in
            let n = counter.withLock { $0 += 1; return $0 }
            return Response(status: 200, headers: [
                "Content-Type": "text/plain", "X-Request-Id": "req-\(n)", "Server-Timing": "total;dur=0.\(n)",
                "Set-Cookie": "s=\(n)",
            ], body: .bytes(Array("hi".utf8)))
        }
        for i in 0..<6 {
            let stream = UInt32(2 * i + 1)
            h.send(H2Frame.request(stream: stream, path: "/"))
            try await h.waitFor { $0.ended(stream) }
        }
        let decoder = HPACKDecoder()
        var tableSizes: [Int] = []
        for (i, frame) in h.frames.filter({ $0.kind == H2Frame.Kind.headers }).enumerated() {
            let fields = try decoder.decode(frame.payload)
            #expect(fields.contains { $0 == ("x-request-id", "req-\(i + 1)") })
            #expect(fields.contains { $0 == ("server-timing", "total;dur=0.\(i + 1)") })
            #expect(fields.contains { $0 == ("content-type", "text/plain") })
            tableSizes.append(decoder.tableEntries)
        }
        #expect(tableSizes.count == 6)
        // The first response indexes its repeatable fields; later ones add nothing.
        #expect(Set(tableSizes.dropFirst()) == [tableSizes[0]], "\(tableSizes)")
        #expect(HTTP2HeaderBlock.isNeverIndexed("x-request-id") && !HTTP2HeaderBlock.isNeverIndexed("content-type"))
    }
}
