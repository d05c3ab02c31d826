import HTTPServer
import RewardAPI
import Synchronization
import Locking

/// The outer responder of `reward serve`: liveness and the debug routes here, everything else in
/// the REST API (installed once the store and heads are ready, before the listener opens).
struct ServeResponder: Responder {
    let configuration: HTTPServer.Configuration
    let readiness: ReadinessFlag
    /// `POST /_debug/echo` echoes the body, `GET /_debug/sleep?ms=N` answers after N ms (bench and
    /// shutdown tests only; off by default).
    let debugRoutes: Bool
    let api: APIHolder

    func respond(to request: Request) async -> Response {
        switch request.path {
        case "/healthz":
            guard request.method == .get || request.method == .head else { return methodNotAllowed("GET, HEAD") }
            return json(200, #"{"status":"ok"}"#)
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
            guard let app = api.application else { return problem(503, "Service Unavailable", "Starting up.") }
            return await app.respond(to: request)
        }
    }

    /// Routes cheap enough to answer on the event loop (no blocking, no heavy CPU).
    static let inlineRoutes: Set<Substring> = Set(["/healthz", "/_debug/inline-echo"]).union(RewardApplication.inlineIntegrationPaths)

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

/// The REST API, set once at startup (the server object exists before the store is connected).
final class APIHolder: Sendable {
    private let app = Locked<RewardApplication?>(nil)
    var application: RewardApplication? { app.withLock { $0 } }
    func install(_ a: RewardApplication) { app.withLock { $0 = a } }
}
