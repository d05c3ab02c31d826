import Testing

@testable import RewardAPI

/// `Content-Type` → media type: the copy-free path for plain lower-case values agrees with the general one.
struct MediaTypeTests {
    @Test func plainAndDecoratedHeadersGiveTheSameMediaType() {
        let cases: [(String?, String?)] = [
            ("application/json", "application/json"), ("Application/JSON", "application/json"),
            ("application/json; charset=utf-8", "application/json"), (" application/json", "application/json"),
            ("application/json\t", "application/json"), ("", nil), ("  ", nil), (nil, nil),
            ("application/x-ndjson", "application/x-ndjson"), ("text/plain;", "text/plain"),
        ]
        for (header, expected) in cases { #expect(RewardApplication.mediaType(header) == expected, "\(String(describing: header))") }
    }
}
