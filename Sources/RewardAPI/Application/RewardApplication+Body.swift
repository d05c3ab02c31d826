import HTTPServer
import RewardService

extension RewardApplication {
    /// The request's JSON body. 415 for another media type, 413 past the limit, 400 for bad JSON.
    func json(_ call: Call, optional: Bool = false) async throws -> JSONValue? {
        try await RequestTiming.measure(.decode) {
            guard let bytes = try await jsonBytes(call, optional: optional) else { return nil }
            return try JSONParser.parse(bytes)
        }
    }

    /// `/v1/score`'s query: the common shape read straight from the body's bytes (as NDJSON lines are;
    /// no JSON tree, no copy of the base64 text), anything else through `JSONParser` + `ScoringDTO`, so
    /// every error stays the generic path's.
    func scoreQuery(_ call: Call) async throws -> ScoreQuery {
        try await RequestTiming.measure(.decode) {
            let bytes = try await jsonBytes(call)!
            var decoder = ScoreLineDecoder(tenant: call.tenant)
            if let query = bytes.withUnsafeBufferPointer({ decoder.decode($0) }) { return query }
            return try ScoringDTO.scoreQuery(JSONParser.parse(bytes), tenant: call.tenant)
        }
    }

    /// The raw body of a JSON request: 413 past the limit, 400 when empty (nil if `optional`), 415 for
    /// another media type.
    private func jsonBytes(_ call: Call, optional: Bool = false) async throws -> [UInt8]? {
        let bytes = try await call.request.body.collect(upTo: configuration.maxBodyBytes)
        if bytes.isEmpty {
            if optional { return nil }
            throw Problem.malformed("a JSON body is required")
        }
        try requireMediaType(call.request, ["application/json"])
        return bytes
    }

    func requiredJSON(_ call: Call) async throws -> JSONValue {
        try await json(call)!
    }

    func requireMediaType(_ request: Request, _ accepted: [String]) throws(Problem) {
        let type = Self.mediaType(request.headers["content-type"])
        guard let type, accepted.contains(type) else {
            throw Problem(
                status: 415, title: "Unsupported media type",
                detail: "send Content-Type: \(accepted.joined(separator: " or ")) (got \(request.headers["content-type"] ?? "none"))")
        }
    }

    /// NDJSON scoring, whose body is any number of records: the transport should not apply its
    /// total body limit (each record is bounded instead: `APIConfiguration.maxNDJSONLineBytes`).
    public static func streamsUnboundedBody(_ request: Request) -> Bool {
        request.path == "/v1/score" && mediaType(request.headers["content-type"]) == "application/x-ndjson"
    }

    /// `Application/JSON; charset=utf-8` → `application/json`.
    static func mediaType(_ header: String?) -> String? {
        guard let header else { return nil }
        // The common case (already lower case, no parameters, no spaces) needs no copy: this runs
        // up to three times per scoring request.
        if !header.isEmpty, header.utf8.allSatisfy(isPlainMediaTypeByte) { return header }
        let main = header.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
        let trimmed = main.trimmingSpaces().lowercased()
        return trimmed.isEmpty ? nil : trimmed
    }

    /// Printable ASCII other than upper case, space and `;`: such a header is its own media type.
    private static func isPlainMediaTypeByte(_ b: UInt8) -> Bool {
        b > 0x20 && b < 0x7F && b != UInt8(ascii: ";") && !(b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
    }

    /// Query parameters (`a=1&b=x%20y`), percent-decoded; repeated names keep the last.
    static func query(_ request: Request) -> [String: String] {
        guard let q = request.query else { return [:] }
        var out: [String: String] = [:]
        for part in q.split(separator: "&") {
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = Router<Int>.percentDecode(Substring(kv[0].replacingPlus())) ?? String(kv[0])
            let value = kv.count > 1 ? Router<Int>.percentDecode(Substring(kv[1].replacingPlus())) : ""
            if let value { out[key] = value }
        }
        return out
    }

    static func json(_ status: Int, _ w: JSONWriter, headers: HTTPHeaders = [:]) -> Response {
        var h = headers
        h.replace("Content-Type", "application/json")
        return Response(status: status, headers: h, body: .bytes(w.bytes))
    }
}

extension Substring {
    func replacingPlus() -> String { String(map { $0 == "+" ? " " : $0 }) }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
