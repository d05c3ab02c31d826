// libFuzzer entry point over the HTTP/1.1 parser (built by Tools/fuzz.sh with swiftc, together with
// the parser's sources; `swift build -sanitize=fuzzer` does not link). Besides "no crash, no hang"
// it checks invariants and that feeding the same bytes whole or in pieces gives the same requests.

struct ParseTrace: Equatable {
    var heads: [RequestHead] = []
    var body: [UInt8] = []
    var ends = 0
    var failed = false
}

func trace(_ input: UnsafeRawBufferPointer, step: Int) -> ParseTrace {
    var limits = HTTP1Parser.Limits()
    limits.maxBodySize = 1 << 20
    limits.maxChunkSize = 1 << 18
    var parser = HTTP1Parser(limits: limits)
    var result = ParseTrace()
    var pending: [UInt8] = []
    var offset = 0
    var rounds = 0
    while true {
        let take = min(step, input.count - offset)
        pending += input[offset..<(offset + take)]
        offset += take
        while true {
            rounds += 1
            precondition(rounds < 10_000_000, "parser does not make progress")
            let (event, consumed) = pending.withUnsafeBytes { buffer -> (HTTP1Parser.Event, Int) in
                let (event, consumed) = parser.next(buffer)
                precondition(consumed >= 0 && consumed <= buffer.count, "consumed out of range")
                if case .body(let start, let count) = event {
                    precondition(count > 0 && start >= 0 && start + count <= consumed, "body range out of range")
                    result.body += buffer[start..<(start + count)]
                }
                return (event, consumed)
            }
            pending.removeFirst(consumed)
            switch event {
            case .needMore:
                break
            case .head(let head):
                precondition(head.target.utf8.count <= limits.maxTargetLength)
                precondition(head.headers.count <= limits.maxHeaderCount)
                result.heads.append(head)
                continue
            case .body:
                continue
            case .end:
                result.ends += 1
                continue
            case .error:
                result.failed = true
                return result
            }
            break
        }
        if offset == input.count { return result }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTP1Parser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    let whole = trace(input, step: Int.max)
    let step = size > 0 ? Int(data[0] % 17) + 1 : 1
    let pieces = trace(input, step: step)
    precondition(whole.failed == pieces.failed, "whole and piecewise parsing disagree on failure")
    if !whole.failed { precondition(whole == pieces, "whole and piecewise parsing disagree") }
    return 0
}
