/// The grammar of RFC 9112/9110 as pure functions over byte slices.
extension HTTP1Parser {
    struct RequestLine {
        var method: HTTPMethod
        var target: String
        var version: HTTPVersion
    }

    @inline(__always)
    static func isTokenChar(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    /// Control characters other than HTAB (and DEL) are never allowed in a line; CR gets its own error.
    @inline(__always)
    static func controlError(_ c: UInt8) -> HTTP1ParseError? {
        if c == 13 { return .bareCR }
        if (c < 0x20 && c != 9) || c == 0x7F { return .controlCharacter }
        return nil
    }

    static func parseRequestLine(_ line: UnsafeRawBufferPointer, limits: Limits) -> Result<RequestLine, HTTP1ParseError> {
        for c in line { if let error = controlError(c) { return .failure(error) } }
        guard let firstSpace = line.firstIndex(of: 32) else { return .failure(.invalidRequestLine) }
        guard let lastSpace = line.lastIndex(of: 32), lastSpace > firstSpace else { return .failure(.invalidRequestLine) }
        let methodBytes = line[..<firstSpace]
        guard !methodBytes.isEmpty, methodBytes.allSatisfy(isTokenChar) else { return .failure(.invalidMethod) }
        let targetBytes = line[(firstSpace + 1)..<lastSpace]
        guard targetBytes.count <= limits.maxTargetLength else { return .failure(.targetTooLong) }
        guard !targetBytes.isEmpty, targetBytes.allSatisfy({ $0 > 32 && $0 < 127 }) else {
            return .failure(.invalidTarget)  // also catches a second space inside the target
        }
        let versionBytes = line[(lastSpace + 1)...]
        guard let version = parseVersion(UnsafeRawBufferPointer(rebasing: versionBytes)) else {
            return .failure(.invalidVersion)
        }
        guard version == .http1_1 || version == .http1_0 else { return .failure(.unsupportedVersion) }
        let method = HTTPMethod(rawValue: String(decoding: methodBytes, as: UTF8.self))
        guard let target = normalizeTarget(UnsafeRawBufferPointer(rebasing: targetBytes), method: method) else {
            return .failure(.invalidTarget)
        }
        return .success(RequestLine(method: method, target: target, version: version))
    }

    /// "HTTP/" DIGIT "." DIGIT (RFC 9112 §2.3).
    static func parseVersion(_ bytes: UnsafeRawBufferPointer) -> HTTPVersion? {
        guard bytes.count == 8, bytes[0] == 72, bytes[1] == 84, bytes[2] == 84, bytes[3] == 80, bytes[4] == 47,
            bytes[6] == 46, (48...57).contains(bytes[5]), (48...57).contains(bytes[7])
        else { return nil }
        return HTTPVersion(major: Int(bytes[5] - 48), minor: Int(bytes[7] - 48))
    }

    /// Origin form as is; `*` for OPTIONS; absolute form reduced to its path and query.
    static func normalizeTarget(_ bytes: UnsafeRawBufferPointer, method: HTTPMethod) -> String? {
        if bytes[0] == UInt8(ascii: "/") { return String(decoding: bytes, as: UTF8.self) }
        if bytes.count == 1 && bytes[0] == UInt8(ascii: "*") { return method == .options ? "*" : nil }
        let text = String(decoding: bytes, as: UTF8.self)
        let lower = text.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else { return nil }
        let afterScheme = text[text.index(text.firstIndex(of: ":")!, offsetBy: 3)...]
        guard !afterScheme.isEmpty, afterScheme.first != "/" else { return nil }
        if let slash = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" }) {
            let rest = afterScheme[slash...]
            return rest.first == "?" ? "/" + rest : String(rest)
        }
        return "/"
    }

    /// `field-name ":" OWS field-value OWS` (RFC 9112 §5); no obs-fold, no space before the colon.
    static func parseField(_ line: UnsafeRawBufferPointer) -> Result<(name: String, value: String), HTTP1ParseError> {
        guard let first = line.first else { return .failure(.invalidHeaderName) }
        if first == 32 || first == 9 { return .failure(.obsFold) }
        var colon = -1
        for i in 0..<line.count {
            let c = line[i]
            if c == UInt8(ascii: ":") {
                colon = i
                break
            }
            if c == 32 || c == 9 { return .failure(.whitespaceBeforeColon) }
            if let error = controlError(c) { return .failure(error) }
            if !isTokenChar(c) { return .failure(.invalidHeaderName) }
        }
        guard colon > 0 else { return .failure(.invalidHeaderName) }
        var start = colon + 1
        var end = line.count
        for i in start..<end { if let error = controlError(line[i]) { return .failure(error) } }
        while start < end && (line[start] == 32 || line[start] == 9) { start += 1 }
        while end > start && (line[end - 1] == 32 || line[end - 1] == 9) { end -= 1 }
        let name = String(decoding: line[..<colon], as: UTF8.self)
        let value = String(decoding: line[start..<end], as: UTF8.self)
        return .success((name, value))
    }

    /// `1*HEXDIG [ chunk-ext ]`; the size is at most 16 hex digits (no overflow).
    static func parseChunkSize(_ line: UnsafeRawBufferPointer) -> Result<Int, HTTP1ParseError> {
        var size = 0
        var digits = 0
        var index = 0
        while index < line.count {
            let c = line[index]
            let value: Int
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = Int(c - 48)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = Int(c - 87)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = Int(c - 55)
            default: value = -1
            }
            if value < 0 { break }
            digits += 1
            guard digits <= 15 else { return .failure(.invalidChunkSize) }
            size = size << 4 | value
            index += 1
        }
        guard digits > 0 else { return .failure(.invalidChunkSize) }
        if index == line.count { return .success(size) }
        // chunk-ext: BWS ";" … — validated for characters only; the values are ignored.
        while index < line.count && (line[index] == 32 || line[index] == 9) { index += 1 }
        guard index < line.count, line[index] == UInt8(ascii: ";") else { return .failure(.invalidChunkSize) }
        for i in index..<line.count {
            if controlError(line[i]) != nil { return .failure(.invalidChunkExtension) }
        }
        return .success(size)
    }
}
