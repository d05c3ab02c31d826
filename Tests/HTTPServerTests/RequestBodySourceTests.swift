import Testing

@testable import HTTPServer

struct RequestBodySourceTests {
    /// A producer that stays a little ahead of its consumer never lets the queue run empty; the
    /// chunks already consumed must be released anyway (they used to stay referenced until the queue
    /// emptied, so a 200 MB NDJSON upload kept 200 MB alive).
    @Test func consumedChunksAreReleasedWhileTheBacklogNeverEmpties() async throws {
        let chunk = [UInt8](repeating: 7, count: 16 * 1024)
        let source = RequestBodySource(highWatermark: 64 * 1024) {}
        for _ in 0..<4 { _ = source.append(chunk) }
        var largest = 0
        for _ in 0..<1024 {  // 16 MiB pass through
            _ = source.append(chunk)
            let got = try await source.next()
            #expect(got?.count == chunk.count)
            largest = max(largest, source.retainedBytes)
        }
        #expect(largest <= 5 * chunk.count)
        source.finish()
        var rest = 0
        while let c = try await source.next() { rest += c.count }
        #expect(rest == 4 * chunk.count)
        #expect(source.retainedBytes == 0)
    }

    @Test func pausesAboveTheWatermarkAndResumesAtHalf() async throws {
        let drained = Counter()
        let source = RequestBodySource(highWatermark: 40) { drained.increment() }
        #expect(source.append([UInt8](repeating: 1, count: 30)) == false)
        #expect(source.append([UInt8](repeating: 2, count: 30)) == true)  // 60 > 40
        _ = try await source.next()  // 30 left: still above half
        #expect(drained.value == 0)
        _ = try await source.next()  // 0 left
        #expect(drained.value == 1)
    }
}

private final class Counter: @unchecked Sendable {  // touched by one task at a time in these tests
    private(set) var value = 0
    func increment() { value += 1 }
}
