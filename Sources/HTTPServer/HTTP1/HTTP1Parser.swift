/// An I/O-free HTTP/1.1 request parser (RFC 9112), strict where leniency enables request smuggling.
///
/// Feed it the unconsumed bytes; it returns one event and how many bytes it consumed. Body events
/// point into the bytes just passed (valid until the caller drops them). Call again while the event
/// is not `.needMore`. After `.error` the parser stays failed: the connection must close.
struct HTTP1Parser {
    struct Limits: Sendable, Equatable {
        var maxTargetLength = 8 * 1024
        var maxHeaderBytes = 16 * 1024
        var maxHeaderCount = 100
        var maxBodySize = 32 * 1024 * 1024
        var maxChunkSize = 16 * 1024 * 1024
        /// A chunk-size line (size plus extensions) longer than this is rejected.
        var maxChunkLineLength = 4 * 1024
    }

    enum Event: Equatable {
        case needMore
        case head(RequestHead)
        /// Body bytes at `start..<start+count` of the buffer passed to this call.
        case body(start: Int, count: Int)
        case end
        case error(HTTP1ParseError)
    }

    enum State: Equatable {
        case requestLine
        case headers
        case checkLength(Int)
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case endOfMessage
        case failed(HTTP1ParseError)
    }

    let limits: Limits
    private(set) var state = State.requestLine
    /// The total body limit for the current message; reset to `limits.maxBodySize` at each head. A
    /// handler may change it after `.head` (streaming routes opt out with `Int.max`).
    var bodyLimit: Int
    private(set) var bodyReceived = 0
    var head = RequestHead(method: .get, target: "", version: .http1_1, headers: [:])
    var headerBytes = 0
    var headerCount = 0

    init(limits: Limits = Limits()) {
        self.limits = limits
        bodyLimit = limits.maxBodySize
    }

    /// True between messages: nothing of the next request has been consumed yet.
    var isIdle: Bool { state == .requestLine }
    var hasFailed: Bool { if case .failed = state { true } else { false } }

    mutating func next(_ buffer: UnsafeRawBufferPointer) -> (event: Event, consumed: Int) {
        var consumed = 0
        while true {
            let rest = UnsafeRawBufferPointer(rebasing: buffer[consumed...])
            switch state {
            case .failed(let error):
                return (.error(error), consumed)
            case .endOfMessage:
                state = .requestLine
                return (.end, consumed)
            case .requestLine, .headers, .trailers:
                guard let lineEnd = rest.firstIndex(of: 10) else {
                    if let error = incompleteLineError(rest) { return fail(error, consumed) }
                    return (.needMore, consumed)
                }
                let line = UnsafeRawBufferPointer(rebasing: rest[..<lineEnd])
                guard line.last == 13 else { return fail(.bareLF, consumed) }
                let content = UnsafeRawBufferPointer(rebasing: line.dropLast())
                consumed += lineEnd + 1
                if let event = processLine(content, length: lineEnd + 1) {
                    if case .error(let error) = event { return fail(error, consumed) }
                    return (event, consumed)
                }
            case .checkLength(let length):
                guard length <= bodyLimit else { return fail(.bodyTooLarge, consumed) }
                state = length == 0 ? .endOfMessage : .fixedBody(remaining: length)
            case .fixedBody(let remaining):
                guard !rest.isEmpty else { return (.needMore, consumed) }
                let count = min(remaining, rest.count)
                state = count == remaining ? .endOfMessage : .fixedBody(remaining: remaining - count)
                bodyReceived += count
                return (.body(start: consumed, count: count), consumed + count)
            case .chunkSize:
                guard let lineEnd = rest.firstIndex(of: 10) else {
                    if rest.count > limits.maxChunkLineLength { return fail(.invalidChunkSize, consumed) }
                    return (.needMore, consumed)
                }
                guard lineEnd > 0, rest[lineEnd - 1] == 13 else { return fail(.bareLF, consumed) }
                let result = HTTP1Parser.parseChunkSize(UnsafeRawBufferPointer(rebasing: rest[..<(lineEnd - 1)]))
                consumed += lineEnd + 1
                switch result {
                case .failure(let error): return fail(error, consumed)
                case .success(0):
                    headerBytes = 0
                    headerCount = 0
                    state = .trailers
                case .success(let size):
                    guard size <= limits.maxChunkSize else { return fail(.chunkTooLarge, consumed) }
                    guard size <= bodyLimit - bodyReceived else { return fail(.bodyTooLarge, consumed) }
                    state = .chunkData(remaining: size)
                }
            case .chunkData(let remaining):
                guard !rest.isEmpty else { return (.needMore, consumed) }
                let count = min(remaining, rest.count)
                state = count == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - count)
                bodyReceived += count
                return (.body(start: consumed, count: count), consumed + count)
            case .chunkDataEnd:
                guard rest.count >= 2 else {
                    if rest.count == 1 && rest[0] != 13 { return fail(.invalidChunkTerminator, consumed) }
                    return (.needMore, consumed)
                }
                guard rest[0] == 13, rest[1] == 10 else { return fail(.invalidChunkTerminator, consumed) }
                consumed += 2
                state = .chunkSize
            }
        }
    }

    private mutating func fail(_ error: HTTP1ParseError, _ consumed: Int) -> (event: Event, consumed: Int) {
        state = .failed(error)
        return (.error(error), consumed)
    }

    /// The line is still incomplete: is it already too long (or already malformed)?
    private func incompleteLineError(_ pending: UnsafeRawBufferPointer) -> HTTP1ParseError? {
        switch state {
        case .requestLine:
            // method (≤ 32) + SP + target + SP + "HTTP/1.1" + CR
            guard pending.count > limits.maxTargetLength + 48 else { return nil }
            guard let space = pending.firstIndex(of: 32), space > 0,
                pending[..<space].allSatisfy(HTTP1Parser.isTokenChar)
            else { return .invalidRequestLine }
            return .targetTooLong
        default:
            if let cr = pending.firstIndex(of: 13), cr + 1 < pending.count { return .bareCR }
            return headerBytes + pending.count > limits.maxHeaderBytes ? .headersTooLarge : nil
        }
    }

    /// One complete line (without CRLF) in the request-line, header or trailer state.
    private mutating func processLine(_ line: UnsafeRawBufferPointer, length: Int) -> Event? {
        switch state {
        case .requestLine:
            if line.isEmpty { return nil }  // RFC 9112 §2.2: ignore empty lines before a request
            switch HTTP1Parser.parseRequestLine(line, limits: limits) {
            case .failure(let error): return .error(error)
            case .success(let parsed):
                head = RequestHead(method: parsed.method, target: parsed.target, version: parsed.version, headers: [:])
                headerBytes = 0
                headerCount = 0
                state = .headers
                return nil
            }
        case .headers:
            if line.isEmpty { return finishHead() }
            headerBytes += length
            headerCount += 1
            if headerBytes > limits.maxHeaderBytes { return .error(.headersTooLarge) }
            if headerCount > limits.maxHeaderCount { return .error(.tooManyHeaders) }
            switch HTTP1Parser.parseField(line) {
            case .failure(let error): return .error(error)
            case .success(let field): head.headers.add(field.name, field.value)
            }
            return nil
        case .trailers:
            if line.isEmpty {
                state = .endOfMessage
                return nil
            }
            headerBytes += length
            headerCount += 1
            if headerBytes > limits.maxHeaderBytes { return .error(.headersTooLarge) }
            if headerCount > limits.maxHeaderCount { return .error(.tooManyHeaders) }
            if case .failure(let error) = HTTP1Parser.parseField(line) { return .error(error) }
            return nil  // trailers are validated and dropped: nothing downstream reads them
        default:
            preconditionFailure("processLine in state \(state)")
        }
    }

    private mutating func finishHead() -> Event {
        switch HTTP1Parser.interpret(&head) {
        case .failure(let error):
            return .error(error)
        case .success:
            bodyLimit = limits.maxBodySize
            bodyReceived = 0
            switch head.framing {
            case .none: state = .endOfMessage
            case .length(let n): state = .checkLength(n)
            case .chunked: state = .chunkSize
            }
            return .head(head)
        }
    }
}
