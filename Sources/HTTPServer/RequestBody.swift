/// A request body, either already in memory or streamed from the connection as it arrives.
/// Handlers that want the bytes call `collect(upTo:)`; streaming handlers (NDJSON) iterate.
public struct RequestBody: Sendable, AsyncSequence {
    public typealias Element = [UInt8]

    enum Storage: Sendable {
        case buffered([UInt8])
        case stream(AsyncThrowingStream<[UInt8], any Error>)
        /// Streamed from a connection, with backpressure (the transport's own producer).
        case source(RequestBodySource)
    }
    let storage: Storage

    public static let empty = RequestBody(bytes: [])
    public init(bytes: [UInt8]) { storage = .buffered(bytes) }
    public init(stream: AsyncThrowingStream<[UInt8], any Error>) { storage = .stream(stream) }
    init(source: RequestBodySource) { storage = .source(source) }

    /// True when the bytes are already in memory (no await needed to read them).
    public var isBuffered: Bool { if case .buffered = storage { true } else { false } }

    /// All bytes of the body; throws `RequestBodyError.tooLarge` past `maxBytes`.
    public func collect(upTo maxBytes: Int) async throws -> [UInt8] {
        if case .buffered(let bytes) = storage {
            guard bytes.count <= maxBytes else { throw RequestBodyError.tooLarge(limit: maxBytes) }
            return bytes
        }
        var all: [UInt8] = []
        for try await chunk in self {
            guard all.count + chunk.count <= maxBytes else { throw RequestBodyError.tooLarge(limit: maxBytes) }
            all.append(contentsOf: chunk)
        }
        return all
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var buffered: [UInt8]?
        var stream: AsyncThrowingStream<[UInt8], any Error>.AsyncIterator?
        var source: RequestBodySource?
        public mutating func next() async throws -> [UInt8]? {
            if let b = buffered {
                buffered = nil
                return b.isEmpty ? nil : b
            }
            if let source { return try await source.next() }
            let chunk = try await stream?.next()
            // A stream whose task was cancelled ends with nil; that must not read as a complete
            // body (a handler would act on a truncated upload), so it surfaces as cancellation.
            if chunk == nil, stream != nil, Task.isCancelled { throw CancellationError() }
            return chunk
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        switch storage {
        case .buffered(let b): AsyncIterator(buffered: b, stream: nil, source: nil)
        case .stream(let s): AsyncIterator(buffered: nil, stream: s.makeAsyncIterator(), source: nil)
        case .source(let s): AsyncIterator(buffered: nil, stream: nil, source: s)
        }
    }
}

public enum RequestBodyError: Error, Equatable, Sendable {
    case tooLarge(limit: Int)
    /// The peer went away or sent a malformed body mid-stream.
    case aborted
}
