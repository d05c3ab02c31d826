import HTTPServer
import Synchronization

/// The routes `reward serve` answers until the API layer arrives: liveness, readiness and info.
struct ServeResponder: Responder {
    let configuration: HTTPServer.Configuration
    let readiness: ReadinessFlag
    /// `POST /_debug/echo` echoes the body, `GET /_debug/sleep?ms=N` answers after N ms (bench and
    /// shutdown tests only; off by default).
    let debugRoutes: Bool

    func respond(to request: Request) async -> Response {
        switch request.path {
        case "/healthz":
            guard request.method == .get || request.method == .head else { return methodNotAllowed("GET, HEAD") }
            return json(200, #"{"status":"ok"}"#)
        case "/readyz":
            guard request.method == .get || request.method == .head else { return methodNotAllowed("GET, HEAD") }
            return readiness.isReady ? json(200, #"{"status":"ready"}"#) : json(503, #"{"status":"shutting down"}"#)
        case "/info":
            guard request.method == .get || request.method == .head else { return methodNotAllowed("GET, HEAD") }
            return json(200, infoBody)
        case "/_debug/echo" where debugRoutes, "/_debug/inline-echo" where debugRoutes:
            let body = (try? await request.body.collect(upTo: configuration.maxBodySize)) ?? []
            return Response(status: 200, headers: ["Content-Type": "application/octet-stream"], body: .bytes(body))
        case "/_debug/sleep" where debugRoutes:
            let ms = request.query.flatMap { Int($0.split(separator: "&")[0].dropFirst(3)) } ?? 100
            if request.query?.contains("stream") != true { try? await Task.sleep(for: .milliseconds(min(ms, 60_000))) }
            guard request.query?.contains("stream") == true else { return json(200, #"{"slept_ms":\#(ms)}"#) }
            // Head and first line now, the rest after the sleep: tests see the request in flight.
            return Response(status: 200, headers: ["Content-Type": "text/plain"], body: .stream { writer in
                try await writer.write(Array("started\n".utf8))
                try await Task.sleep(for: .milliseconds(min(ms, 60_000)))
                try await writer.write(Array("slept \(ms) ms\n".utf8))
            })
        default:
            return problem(404, "Not Found", "No route for this path.")
        }
    }

    /// Routes cheap enough to answer on the event loop (no blocking, no heavy CPU).
    static let inlineRoutes: Set<Substring> = ["/healthz", "/readyz", "/info", "/_debug/inline-echo"]

    private var infoBody: String {
        let c = configuration
        func ms(_ d: Duration) -> Int { Int(d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000) }
        return """
            {"name":"reward","version":"\(RewardVersion.current)","http":{"loops":\(c.loopCount),\
            "limits":{"max_connections":\(c.maxConnections),"max_body_bytes":\(c.maxBodySize),\
            "max_chunk_bytes":\(c.maxChunkSize),"max_target_length":\(c.maxTargetLength),\
            "max_header_bytes":\(c.maxHeaderBytes),"max_header_count":\(c.maxHeaderCount)},\
            "timeouts_ms":{"header_read":\(ms(c.headerReadTimeout)),"keep_alive":\(ms(c.keepAliveTimeout)),\
            "body_read":\(ms(c.bodyReadTimeout)),"write":\(ms(c.writeTimeout)),"shutdown":\(ms(c.shutdownDeadline))}}}
            """
    }

    private func json(_ status: Int, _ text: String) -> Response {
        Response(status: status, headers: ["Content-Type": "application/json"], body: .bytes(Array(text.utf8)))
    }

    private func problem(_ status: Int, _ title: String, _ detail: String) -> Response {
        let text = #"{"type":"about:blank","title":"\#(title)","status":\#(status),"detail":"\#(detail)"}"#
        return Response(status: status, headers: ["Content-Type": "application/problem+json"], body: .bytes(Array(text.utf8)))
    }

    private func methodNotAllowed(_ allow: String) -> Response {
        var response = problem(405, "Method Not Allowed", "This path does not support this method.")
        response.headers.add("Allow", allow)
        return response
    }
}

/// Ready until shutdown starts (set from the server's readiness hook).
final class ReadinessFlag: Sendable {
    private let ready = Atomic<Bool>(false)
    var isReady: Bool { ready.load(ordering: .relaxed) }
    func set(_ value: Bool) { ready.store(value, ordering: .relaxed) }
}
