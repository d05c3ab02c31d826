import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A plain HTTP/1.1 client over a real socket (URLSession), for end-to-end tests.
struct LiveClient: Sendable {
    let port: Int

    struct Reply: Sendable {
        var status: Int
        var text: String
    }

    func get(_ path: String) async throws -> Reply { try await send("GET", path, nil) }
    func delete(_ path: String) async throws -> Reply { try await send("DELETE", path, nil) }
    func post(_ path: String, _ json: String) async throws -> Reply { try await send("POST", path, json) }

    func send(_ method: String, _ path: String, _ json: String?, headers: [String: String] = [:]) async throws -> Reply {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.timeoutInterval = 60
        if let json {
            request.httpBody = Data(json.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return Reply(status: (response as? HTTPURLResponse)?.statusCode ?? 0, text: String(decoding: data, as: UTF8.self))
    }
}
