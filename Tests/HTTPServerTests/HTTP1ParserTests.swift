import Testing
@testable import HTTPServer

/// One test per parsing rule of issue 2, without sockets.
struct HTTP1ParserTests {
    struct Outcome {
        var heads: [RequestHead] = []
        var bodies: [[UInt8]] = []
        var ends = 0
        var error: HTTP1ParseError?
        var leftover = 0
        var head: RequestHead? { heads.first }
        var body: String { String(decoding: bodies.first ?? [], as: UTF8.self) }
    }

    /// Feeds `input` in pieces of `step` bytes (keeping unconsumed bytes, as the connection does).
    static func parse(_ input: String, step: Int = .max, limits: HTTP1Parser.Limits = .init()) -> Outcome {
        parse(Array(input.utf8), step: step, limits: limits)
    }

    static func parse(_ input: [UInt8], step: Int = .max, limits: HTTP1Parser.Limits = .init()) -> Outcome {
        var parser = HTTP1Parser(limits: limits)
        var outcome = Outcome()
        var pending: [UInt8] = []
        var offset = 0
        var currentBody: [UInt8] = []
        while offset < input.count || !pending.isEmpty {
            let take = min(step, input.count - offset)
            pending += input[offset..<(offset + take)]
            offset += take
            var progressed = true
            while progressed {
                progressed = false
                let (event, consumed) = pending.withUnsafeBytes { buffer -> (HTTP1Parser.Event, Int) in
                    let (event, consumed) = parser.next(buffer)
                    if case .body(let start, let count) = event {
                        currentBody += buffer[start..<(start + count)]
                    }
                    return (event, consumed)
                }
                pending.removeFirst(consumed)
                switch event {
                case .needMore: break
                case .head(let head):
                    outcome.heads.append(head)
                    progressed = true
                case .body: progressed = true
                case .end:
                    outcome.ends += 1
                    outcome.bodies.append(currentBody)
                    currentBody = []
                    progressed = true
                case .error(let error):
                    outcome.error = error
                    return outcome
                }
            }
            if take == 0 { break }
        }
        outcome.leftover = pending.count
        return outcome
    }

    // MARK: request line and headers

    @Test func parsesRequestLineAndHeaders() {
        let o = Self.parse("GET /a?b=c HTTP/1.1\r\nHost: x\r\nAccept:  */* \r\n\r\n")
        #expect(o.error == nil)
        #expect(o.head?.method == .get)
        #expect(o.head?.target == "/a?b=c")
        #expect(o.head?.headers["accept"] == "*/*")
        #expect(o.ends == 1)
    }

    @Test func headerNamesAreCaseInsensitiveAndRepeatsKept() {
        let o = Self.parse("GET / HTTP/1.1\r\nHOST: x\r\nVia: a\r\nvia: b\r\n\r\n")
        #expect(o.head?.headers["host"] == "x")
        #expect(o.head?.headers.values(for: "VIA") == ["a", "b"])
    }

    @Test func byteByByteFeedingGivesTheSameResult() {
        let text = "POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nT: v\r\n\r\n"
        let whole = Self.parse(text)
        let pieces = Self.parse(text, step: 1)
        #expect(whole.body == "abcde")
        #expect(pieces.body == "abcde")
        #expect(pieces.ends == 1)
    }

    @Test func emptyLinesBeforeRequestLineAreIgnored() {
        #expect(Self.parse("\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n").ends == 1)
    }

    @Test func absoluteFormTargetIsReducedToPath() {
        #expect(Self.parse("GET http://example.com/a?q HTTP/1.1\r\nHost: example.com\r\n\r\n").head?.target == "/a?q")
    }

    @Test func malformedRequestLineIs400() {
        #expect(Self.parse("GET /\r\nHost: x\r\n\r\n").error == .invalidRequestLine)
        #expect(Self.parse("GET  / HTTP/1.1\r\nHost: x\r\n\r\n").error == .invalidTarget)
        #expect(Self.parse("G(T / HTTP/1.1\r\nHost: x\r\n\r\n").error == .invalidMethod)
        #expect(Self.parse("GET / HTTP/1.1x\r\nHost: x\r\n\r\n").error == .invalidVersion)
        #expect(HTTP1ParseError.invalidRequestLine.status == 400)
    }

    @Test func targetOver8KiBIs414() {
        let long = String(repeating: "a", count: 8 * 1024 + 1)
        let complete = Self.parse("GET /\(long) HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(complete.error == .targetTooLong)
        let incomplete = Self.parse("GET /\(long)\(long)")  // no line end yet: rejected early
        #expect(incomplete.error == .targetTooLong)
        #expect(HTTP1ParseError.targetTooLong.status == 414)
    }

    @Test func headerSectionOver16KiBIs431() {
        let value = String(repeating: "v", count: 1000)
        let fields = (0..<17).map { "X-\($0): \(value)\r\n" }.joined()
        #expect(Self.parse("GET / HTTP/1.1\r\nHost: x\r\n\(fields)\r\n").error == .headersTooLarge)
        let oneHuge = "X: " + String(repeating: "v", count: 17 * 1024)  // incomplete line, rejected early
        #expect(Self.parse("GET / HTTP/1.1\r\nHost: x\r\n\(oneHuge)").error == .headersTooLarge)
        #expect(HTTP1ParseError.headersTooLarge.status == 431)
    }

    @Test func moreThan100FieldsIs431() {
        let fields = (0..<100).map { "X-\($0): v\r\n" }.joined()
        #expect(Self.parse("GET / HTTP/1.1\r\nHost: x\r\n\(fields)\r\n").error == .tooManyHeaders)
        let ninetyNine = (0..<99).map { "X-\($0): v\r\n" }.joined()
        #expect(Self.parse("GET / HTTP/1.1\r\nHost: x\r\n\(ninetyNine)\r\n").error == nil)
        #expect(HTTP1ParseError.tooManyHeaders.status == 431)
    }

    @Test func unsupportedVersionIs505() {
        #expect(Self.parse("GET / HTTP/2.0\r\nHost: x\r\n\r\n").error == .unsupportedVersion)
        #expect(Self.parse("GET / HTTP/0.9\r\n\r\n").error == .unsupportedVersion)
        #expect(HTTP1ParseError.unsupportedVersion.status == 505)
    }

    @Test func missingHostOnHTTP11Is400() {
        #expect(Self.parse("GET / HTTP/1.1\r\n\r\n").error == .missingHost)
        #expect(Self.parse("GET / HTTP/1.0\r\n\r\n").error == nil)
    }

    @Test func duplicateHostIs400() {
        #expect(Self.parse("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").error == .multipleHost)
    }

    @Test func obsFoldIs400() {
        #expect(Self.parse("GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n").error == .obsFold)
    }

    @Test func whitespaceBeforeColonIs400() {
        #expect(Self.parse("GET / HTTP/1.1\r\nHost : x\r\n\r\n").error == .whitespaceBeforeColon)
        #expect(Self.parse("GET / HTTP/1.1\r\nHost: x\r\nContent-Length\t: 0\r\n\r\n").error == .whitespaceBeforeColon)
    }

    @Test func bareCRIs400() {
        #expect(Self.parse("GET / HTTP/1.1\r\nHost: x\rX: y\r\n\r\n").error == .bareCR)
        #expect(Self.parse("GET /\r HTTP/1.1\r\nHost: x\r\n\r\n").error == .bareCR)
    }

    @Test func bareLFIs400() {
        #expect(Self.parse("GET / HTTP/1.1\nHost: x\n\n").error == .bareLF)
    }

    @Test func nulInHeaderIs400() {
        #expect(Self.parse("GET / HTTP/1.1\r\nHost: x\r\nX: a\u{0}b\r\n\r\n").error == .controlCharacter)
    }

    @Test func controlCharacterInRequestLineIs400() {
        #expect(Self.parse("GET /a\u{1}b HTTP/1.1\r\nHost: x\r\n\r\n").error == .controlCharacter)
        #expect(Self.parse("GET /a\u{7F} HTTP/1.1\r\nHost: x\r\n\r\n").error == .controlCharacter)
    }

    @Test func invalidHeaderNameIs400() {
        #expect(Self.parse("GET / HTTP/1.1\r\nHost: x\r\nBad(Name): v\r\n\r\n").error == .invalidHeaderName)
        #expect(Self.parse("GET / HTTP/1.1\r\nHost: x\r\n: v\r\n\r\n").error == .invalidHeaderName)
    }

    // MARK: framing and smuggling

    @Test func contentLengthBody() {
        let o = Self.parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET")
        #expect(o.body == "hello")
        #expect(o.leftover == 3)
    }

    @Test func contentLengthWithTransferEncodingIs400() {
        let o = Self.parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        #expect(o.error == .contentLengthWithTransferEncoding)
    }

    @Test func differingContentLengthsAre400() {
        #expect(Self.parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n").error == .conflictingContentLength)
        #expect(Self.parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 4\r\n\r\n").error == .conflictingContentLength)
        // Identical repeats are one length (RFC 9112 §6.3).
        #expect(Self.parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 3\r\n\r\nabc").body == "abc")
    }

    @Test func nonNumericContentLengthIs400() {
        for value in ["abc", "-1", "+3", "3 3", "0x10", "", "99999999999999999999"] {
            #expect(Self.parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: \(value)\r\n\r\n").error == .invalidContentLength)
        }
    }

    @Test func transferCodingsOtherThanChunkedAre501() {
        #expect(Self.parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n").error == .unsupportedTransferCoding)
        #expect(Self.parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n").error == .unsupportedTransferCoding)
        #expect(HTTP1ParseError.unsupportedTransferCoding.status == 501)
    }

    @Test func chunkedTwiceOrMalformedTransferEncodingIs400() {
        #expect(Self.parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n").error == .invalidTransferEncoding)
        #expect(Self.parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n").error == .invalidTransferEncoding)
        #expect(Self.parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: ,chunked\r\n\r\n").error == .invalidTransferEncoding)
    }

    @Test func transferEncodingInHTTP10Is400() {
        #expect(Self.parse("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n").error == .transferEncodingInHTTP10)
    }

    @Test func chunkedBodyIsDecoded() {
        let o = Self.parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n4\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\n\r\n")
        #expect(o.body == "Wikipedia in\r\n\r\nchunks.")
        #expect(o.head?.framing == .chunked)
    }

    @Test func badChunkSizesAre400() {
        for size in ["g", "", "-1", "0x10", " 5", "1234567890abcdef0"] {
            let o = Self.parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n\(size)\r\nabc\r\n0\r\n\r\n")
            #expect(o.error == .invalidChunkSize, "size \(size)")
        }
    }

    @Test func chunkDataWithoutCRLFIs400() {
        let o = Self.parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n")
        #expect(o.error == .invalidChunkTerminator)
    }

    @Test func chunkOverPerChunkLimitIs413() {
        var limits = HTTP1Parser.Limits()
        limits.maxChunkSize = 10
        let o = Self.parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nb\r\n", limits: limits)
        #expect(o.error == .chunkTooLarge)
        #expect(HTTP1ParseError.chunkTooLarge.status == 413)
    }

    @Test func chunkedBodyOverTotalLimitIs413() {
        var limits = HTTP1Parser.Limits()
        limits.maxBodySize = 8
        let o = Self.parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n5\r\n", limits: limits)
        #expect(o.error == .bodyTooLarge)
    }

    @Test func contentLengthOverLimitIs413() {
        var limits = HTTP1Parser.Limits()
        limits.maxBodySize = 4
        #expect(Self.parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n", limits: limits).error == .bodyTooLarge)
        #expect(HTTP1ParseError.bodyTooLarge.status == 413)
    }

    @Test func trailersAreValidatedAndDropped() {
        let ok = Self.parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\nX-T: 1\r\n\r\n")
        #expect(ok.ends == 1)
        let bad = Self.parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX T: 1\r\n\r\n")
        #expect(bad.error == .whitespaceBeforeColon)
    }

    @Test func smuggledSecondRequestStaysSeparate() {
        // CL.TE / TE.CL style: a body that looks like a request must be body, never a second request.
        let o = Self.parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 27\r\n\r\nGET /admin HTTP/1.1\r\nHost: x")
        #expect(o.heads.count == 1)
        #expect(o.body.hasPrefix("GET /admin"))
    }

    // MARK: connection semantics

    @Test func keepAliveDefaults() {
        #expect(Self.parse("GET / HTTP/1.1\r\nHost: x\r\n\r\n").head?.keepAlive == true)
        #expect(Self.parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").head?.keepAlive == false)
        #expect(Self.parse("GET / HTTP/1.0\r\n\r\n").head?.keepAlive == false)
        #expect(Self.parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").head?.keepAlive == true)
    }

    @Test func expectContinueIsRecognisedAndOthersAre417() {
        #expect(Self.parse("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n").head?.expectsContinue == true)
        #expect(Self.parse("POST / HTTP/1.1\r\nHost: x\r\nExpect: fancy\r\n\r\n").error == .unsupportedExpectation)
    }

    @Test func pipelinedRequestsParseInOrder() {
        let o = Self.parse("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n" + "POST /3 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok")
        #expect(o.heads.map(\.target) == ["/1", "/2", "/3"])
        #expect(o.ends == 3)
    }

    @Test func headRequestIsParsedWithoutBody() {
        let o = Self.parse("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(o.head?.method == .head)
        #expect(o.head?.framing == RequestHead.Framing.none)
    }

    @Test func afterAnErrorTheParserStaysFailed() {
        var parser = HTTP1Parser()
        let bad = Array("BAD\r\n".utf8)
        _ = bad.withUnsafeBytes { parser.next($0) }
        let good = Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        let (event, _) = good.withUnsafeBytes { parser.next($0) }
        #expect(event == .error(.invalidRequestLine))
    }
}
