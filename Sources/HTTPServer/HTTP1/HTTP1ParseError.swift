/// Why a request was rejected before it reached the responder. Each case has a status and a fixed
/// problem+json body (`ProblemTemplates`); all of them close the connection afterwards, because the
/// parser cannot know where the next request would start.
enum HTTP1ParseError: Error, Equatable, Sendable {
    case invalidRequestLine
    case invalidMethod
    case invalidTarget
    case targetTooLong
    case invalidVersion
    case unsupportedVersion
    case bareCR
    case bareLF
    case controlCharacter
    case obsFold
    case whitespaceBeforeColon
    case invalidHeaderName
    case headersTooLarge
    case tooManyHeaders
    case missingHost
    case multipleHost
    case invalidContentLength
    case conflictingContentLength
    case contentLengthWithTransferEncoding
    case transferEncodingInHTTP10
    case invalidTransferEncoding
    case unsupportedTransferCoding
    case invalidChunkSize
    case invalidChunkExtension
    case invalidChunkTerminator
    case chunkTooLarge
    case bodyTooLarge
    case unsupportedExpectation
    case bodyTimeout
    case headerTimeout

    var status: Int {
        switch self {
        case .targetTooLong: 414
        case .headersTooLarge, .tooManyHeaders: 431
        case .chunkTooLarge, .bodyTooLarge: 413
        case .unsupportedVersion: 505
        case .unsupportedTransferCoding: 501
        case .unsupportedExpectation: 417
        case .bodyTimeout, .headerTimeout: 408
        default: 400
        }
    }

    /// One short sentence for the problem+json `detail`; constant, so nothing from the request leaks.
    var detail: StaticString {
        switch self {
        case .invalidRequestLine: "The request line is malformed."
        case .invalidMethod: "The method is not a valid token."
        case .invalidTarget: "The request target is malformed."
        case .targetTooLong: "The request target exceeds the server's limit."
        case .invalidVersion: "The HTTP version is malformed."
        case .unsupportedVersion: "Only HTTP/1.0 and HTTP/1.1 are supported on this connection."
        case .bareCR: "A carriage return is not followed by a line feed."
        case .bareLF: "Lines must end with CRLF."
        case .controlCharacter: "The request contains a control character."
        case .obsFold: "Obsolete line folding is not allowed."
        case .whitespaceBeforeColon: "Whitespace between a field name and the colon is not allowed."
        case .invalidHeaderName: "A header field name is not a valid token."
        case .headersTooLarge: "The header section exceeds the server's limit."
        case .tooManyHeaders: "The request has too many header fields."
        case .missingHost: "HTTP/1.1 requests must have a Host header."
        case .multipleHost: "The request has more than one Host header."
        case .invalidContentLength: "Content-Length is not a valid number."
        case .conflictingContentLength: "The request has differing Content-Length values."
        case .contentLengthWithTransferEncoding: "Content-Length and Transfer-Encoding must not be combined."
        case .transferEncodingInHTTP10: "Transfer-Encoding is not allowed in HTTP/1.0."
        case .invalidTransferEncoding: "Transfer-Encoding must end with a single chunked coding."
        case .unsupportedTransferCoding: "Only the chunked transfer coding is supported."
        case .invalidChunkSize: "A chunk size is malformed."
        case .invalidChunkExtension: "A chunk extension is malformed."
        case .invalidChunkTerminator: "Chunk data is not followed by CRLF."
        case .chunkTooLarge: "A chunk exceeds the server's limit."
        case .bodyTooLarge: "The request body exceeds the server's limit."
        case .unsupportedExpectation: "Only the 100-continue expectation is supported."
        case .bodyTimeout: "The request body was not received in time."
        case .headerTimeout: "The request header was not received in time."
        }
    }
}
