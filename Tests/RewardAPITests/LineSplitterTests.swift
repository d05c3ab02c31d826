import Testing

@testable import RewardAPI

struct LineSplitterTests {
    /// The same records whatever the chunking: whole lines, lines cut anywhere, CRLF, an over-long
    /// line (reported once) and a last line without a newline.
    @Test func recordsDoNotDependOnChunkBoundaries() {
        let text = Array("a\r\nbb\n\nlong-line-here\nccc\nend".utf8)
        let expected: [LineSplitter.Record] = [
            .line(ArraySlice("a".utf8)), .line(ArraySlice("bb".utf8)), .line([]), .tooLong, .line(ArraySlice("ccc".utf8)),
            .line(ArraySlice("end".utf8)),
        ]
        for size in 1...text.count {
            var splitter = LineSplitter(maxLineBytes: 8)
            var records: [LineSplitter.Record] = []
            var start = 0
            while start < text.count {
                records += splitter.push(Array(text[start..<min(start + size, text.count)]))
                start += size
            }
            if let last = splitter.finish() { records.append(last) }
            #expect(records == expected, "chunk size \(size)")
        }
    }
}
