import HTTPServer
import RewardService

extension RewardApplication {
    /// `POST /v1/score` with `application/x-ndjson`: one score request per line in, one result per
    /// line out, in order, streamed as lines arrive. Up to `ndjsonConcurrency` lines are in flight
    /// (so the model worker can coalesce them); memory is bounded by that window and the line limit.
    /// A bad line yields `{"line": n, "error": {…}}` and the stream goes on.
    func ndjsonScore(_ call: Call) -> Response {
        let app = self
        return Response(status: 200, headers: ["Content-Type": "application/x-ndjson"], body: .stream { writer in
            var splitter = LineSplitter(maxLineBytes: app.configuration.maxNDJSONLineBytes)
            var lineNumber = 0
            var window: [Task<[UInt8], Never>] = []
            // Results are gathered and written per received chunk (or every 64 KiB): one write per
            // line would cost one event-loop hop per line.
            var pending: [UInt8] = []
            defer { for t in window { t.cancel() } }

            func flush() async throws {
                guard !pending.isEmpty else { return }
                try await writer.write(pending)
                pending.removeAll(keepingCapacity: true)
            }

            func enqueue(_ record: LineSplitter.Record) async throws {
                lineNumber += 1
                let n = lineNumber
                if case .line(let bytes) = record, bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
                window.append(Task { await app.scoreLine(record, number: n, tenant: call.tenant) })
                if window.count >= app.configuration.ndjsonConcurrency {
                    pending += await window.removeFirst().value
                    if pending.count >= 64 * 1024 { try await flush() }
                }
            }

            do {
                for try await chunk in call.request.body {
                    for record in splitter.push(chunk) { try await enqueue(record) }
                    try await flush()
                }
                if let last = splitter.finish() { try await enqueue(last) }
            } catch let e as RequestBodyError {
                // The upload broke off: answer what arrived, then say why the stream ended.
                for t in window { pending += await t.value }
                window.removeAll()
                let p = ErrorMapping.problem(for: e, retryAfter: app.configuration.retryAfterSeconds, logger: app.logger)
                pending += Self.lineError(lineNumber + 1, p)
                try await flush()
                return
            }
            while !window.isEmpty { pending += await window.removeFirst().value }
            try await flush()
        })
    }

    private func scoreLine(_ record: LineSplitter.Record, number: Int, tenant: String) async -> [UInt8] {
        do {
            guard case .line(let bytes) = record else {
                throw Problem(status: 413, title: "Payload too large", detail: "line longer than \(configuration.maxNDJSONLineBytes) bytes")
            }
            let query = try ScoringDTO.scoreQuery(try JSONParser.parse(bytes), tenant: tenant)
            let result = try await service.score(query)
            metrics.itemsScored(query.items.count)
            var w = JSONWriter(capacity: 64 + 24 * result.scores.count)
            ResultEncoding.score(result, into: &w)
            var out = w.bytes
            out.append(UInt8(ascii: "\n"))
            return out
        } catch {
            return Self.lineError(number, ErrorMapping.problem(for: error, retryAfter: configuration.retryAfterSeconds, logger: logger))
        }
    }

    static func lineError(_ number: Int, _ p: Problem) -> [UInt8] {
        var out = Array(#"{"line":"#.utf8)
        out += Array(String(number).utf8)
        out += Array(#","error":"#.utf8)
        out += p.render()
        out += Array("}\n".utf8)
        return out
    }
}
