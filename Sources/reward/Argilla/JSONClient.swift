import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A small JSON-over-HTTP client for the command-line tools that talk to other services (Argilla, a
/// running reward service). Not on the serving path: `reward serve` never makes outbound calls.
struct JSONClient: Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let baseURL: URL
    let headers: [String: String]
    var timeout: TimeInterval = 30

    /// Sends `body` (a JSON value) and returns the decoded JSON reply; non-2xx statuses are failures that
    /// quote the reply.
    @discardableResult
    func send(_ method: String, _ path: String, query: [URLQueryItem] = [], body: Any? = nil) async throws -> Any {
        guard var components = URLComponents(url: baseURL.appendingPathComponent(path), resolvingAgainstBaseURL: false) else {
            throw Failure(description: "bad URL \(baseURL)\(path)")
        }
        if !query.isEmpty { components.queryItems = query }
        var request = URLRequest(url: components.url!)
        request.httpMethod = method
        request.timeoutInterval = timeout
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        if let body {
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            throw Failure(description: "\(method) \(components.url!.absoluteString) → \(status): \(String(decoding: data.prefix(500), as: UTF8.self))")
        }
        return data.isEmpty ? [String: Any]() : try JSONSerialization.jsonObject(with: data)
    }
}
