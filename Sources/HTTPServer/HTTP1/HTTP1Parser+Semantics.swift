/// What the header fields mean for framing and the connection (RFC 9112 §6, §9; RFC 9110 §10.1.1).
extension HTTP1Parser {
    static func interpret(_ head: inout RequestHead) -> Result<Void, HTTP1ParseError> {
        var hostCount = 0
        var contentLength: Int?
        var transferCodings: [Substring] = []
        var sawTransferEncoding = false
        var connectionClose = false
        var connectionKeepAlive = false
        var expectation: String?

        for field in head.headers {
            let name = field.name
            switch name.utf8.count {
            case 4 where name.equalsIgnoringASCIICase("host"):
                hostCount += 1
            case 14 where name.equalsIgnoringASCIICase("content-length"):
                if let value = Self.plainDecimal(field.value) {  // the usual case: one plain number
                    if let previous = contentLength, previous != value { return .failure(.conflictingContentLength) }
                    contentLength = value
                    continue
                }
                for part in field.value.split(separator: ",", omittingEmptySubsequences: false) {
                    let trimmed = part.trimmingOWS()
                    guard !trimmed.isEmpty, trimmed.utf8.count <= 18, trimmed.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                        let value = Int(trimmed)
                    else { return .failure(.invalidContentLength) }
                    if let previous = contentLength, previous != value { return .failure(.conflictingContentLength) }
                    contentLength = value
                }
            case 17 where name.equalsIgnoringASCIICase("transfer-encoding"):
                sawTransferEncoding = true
                for part in field.value.split(separator: ",", omittingEmptySubsequences: false) {
                    transferCodings.append(part.trimmingOWS())
                }
            case 10 where name.equalsIgnoringASCIICase("connection"):
                for token in field.value.split(separator: ",") {
                    let t = token.trimmingOWS()
                    if t.equalsIgnoringASCIICase("close") { connectionClose = true }
                    if t.equalsIgnoringASCIICase("keep-alive") { connectionKeepAlive = true }
                }
            case 6 where name.equalsIgnoringASCIICase("expect"):
                expectation = field.value
            case 7 where name.equalsIgnoringASCIICase("upgrade"):
                head.upgrade = field.value
            default:
                break
            }
        }

        let isHTTP11 = head.version == .http1_1
        if isHTTP11 && hostCount == 0 { return .failure(.missingHost) }
        if hostCount > 1 { return .failure(.multipleHost) }

        if sawTransferEncoding {
            if contentLength != nil { return .failure(.contentLengthWithTransferEncoding) }
            if !isHTTP11 { return .failure(.transferEncodingInHTTP10) }
            for coding in transferCodings where !coding.equalsIgnoringASCIICase("chunked") {
                return .failure(coding.isEmpty ? .invalidTransferEncoding : .unsupportedTransferCoding)
            }
            guard transferCodings.count == 1 else { return .failure(.invalidTransferEncoding) }
            head.framing = .chunked
        } else if let contentLength {
            head.framing = .length(contentLength)
        } else {
            head.framing = .none
        }

        head.keepAlive = isHTTP11 ? !connectionClose : (connectionKeepAlive && !connectionClose)
        if let expectation, isHTTP11 {  // RFC 9110 §10.1.1: ignore Expect in HTTP/1.0
            guard expectation.trimmingOWS().equalsIgnoringASCIICase("100-continue") else {
                return .failure(.unsupportedExpectation)
            }
            head.expectsContinue = true
        }
        return .success(())
    }

    /// 1 to 18 ASCII digits and nothing else, as an Int.
    static func plainDecimal(_ text: String) -> Int? {
        let bytes = text.utf8
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value = 0
        for c in bytes {
            guard c >= 48 && c <= 57 else { return nil }
            value = value * 10 + Int(c - 48)
        }
        return value
    }
}

extension String {
    func trimmingOWS() -> Substring { self[...].trimmingOWS() }
}

extension Substring {
    /// Without leading and trailing spaces and tabs (HTTP's optional whitespace); byte-wise.
    func trimmingOWS() -> Substring {
        let bytes = utf8
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, bytes[start] == 32 || bytes[start] == 9 { start = bytes.index(after: start) }
        while end > start {
            let before = bytes.index(before: end)
            guard bytes[before] == 32 || bytes[before] == 9 else { break }
            end = before
        }
        return Substring(bytes[start..<end])
    }
}

extension StringProtocol {
    /// ASCII case-insensitive equality without copying (header tokens are ASCII).
    func equalsIgnoringASCIICase(_ other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        for (x, y) in zip(utf8, other.utf8) where x != y {
            let lx = (x >= 65 && x <= 90) ? x | 0x20 : x
            let ly = (y >= 65 && y <= 90) ? y | 0x20 : y
            if lx != ly { return false }
        }
        return true
    }
}
