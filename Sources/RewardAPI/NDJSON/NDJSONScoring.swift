import HTTPServer
import RewardService

extension RewardApplication {
    /// `POST /v1/score` with `application/x-ndjson`: one score request per line in, one result per
    /// line out, in order, streamed as lines arrive. A reader parses lines and merges consecutive
    /// compatible ones into one service call (`NDJSONRun`); a writer sends the answers in input order.
    /// Memory is bounded by the line limit and the queue's window of unanswered lines, whatever
    /// the input size. A bad line yields `{"line": n, "error": {…}}` and the stream goes on.
    func ndjsonScore(_ call: Call) -> Response {
        let app = self
        return Response(status: 200, headers: ["Content-Type": "application/x-ndjson"], body: .stream { writer in
            let queue = NDJSONResultQueue(windowBytes: app.configuration.ndjsonWindowBytes, windowLines: app.configuration.ndjsonWindowLines)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await Self.writeAnswers(queue, to: writer) }
                var reader = NDJSONReader(app: app, tenant: call.tenant, queue: queue)
                await reader.read(call.request.body)
                queue.finish()
                try await group.waitForAll()
            }
        })
    }

    /// Sends answers in input order, gathering those already computed into one write (a write per
    /// line would cost an event-loop hop per line).
    private static func writeAnswers(_ queue: NDJSONResultQueue, to writer: any BodyWriter) async throws {
        var pending: [UInt8] = []
        var taken: [NDJSONResultQueue.Entry] = []
        while let first = await queue.next() {
            pending += await first.output()
            taken.append(first)
            while pending.count < 64 * 1024, let next = queue.nextIfDone() {
                pending += await next.output()
                taken.append(next)
            }
            if !pending.isEmpty {
                do { try await writer.write(pending) } catch {
                    queue.close()
                    throw error
                }
            }
            pending.removeAll(keepingCapacity: true)
            for entry in taken { queue.release(entry) }
            taken.removeAll(keepingCapacity: true)
        }
    }

    /// Scores a run: one service call for all its lines; if that fails, each line on its own (so
    /// every line gets exactly the answer it would get alone).
    func scoreRun(_ run: NDJSONRun, tenant: String) async -> [UInt8] {
        if run.lines.count > 1 {
            do {
                let result = try await service.score(run.merged)
                metrics.itemsScored(run.items)
                return Self.renderRun(result, lines: run.lines)
            } catch {}
        }
        var out: [UInt8] = []
        for line in run.lines { out += await scoreLine(line.query, number: line.number) }
        return out
    }

    func scoreLine(_ query: ScoreQuery, number: Int) async -> [UInt8] {
        do {
            let result = try await service.score(query)
            metrics.itemsScored(query.items.count)
            var out: [UInt8] = []
            Self.appendLine(result, to: &out)
            return out
        } catch {
            return lineError(number, error)
        }
    }

    /// One answer line per run line. They all share the head and user, so the text around the
    /// scores is rendered once (`ResultEncoding.score` with no scores) and each line is its scores
    /// between that prefix and suffix: the same bytes as `appendLine`, without a writer per line.
    private static func renderRun(_ result: ScoreResult, lines: [NDJSONRun.Line]) -> [UInt8] {
        var template = JSONWriter(capacity: 128)
        ResultEncoding.score(ScoreResult(scores: [], head: result.head, user: result.user), into: &template)
        let prefix = Array(#"{"scores":["#.utf8)
        precondition(template.bytes.starts(with: prefix + [UInt8(ascii: "]")]), "ResultEncoding.score starts with the scores")
        let suffix = template.bytes[prefix.count...] + [UInt8(ascii: "\n")]
        var out: [UInt8] = []
        out.reserveCapacity(lines.count * (suffix.count + prefix.count) + result.scores.count * 24)
        var offset = 0
        for line in lines {
            out += prefix
            for k in offset ..< offset + line.query.items.count {
                if k > offset { out.append(UInt8(ascii: ",")) }
                JSONWriter.append(result.scores[k], to: &out)
            }
            offset += line.query.items.count
            out += suffix
        }
        return out
    }

    private static func appendLine(_ result: ScoreResult, to out: inout [UInt8]) {
        var w = JSONWriter(capacity: 64 + 24 * result.scores.count)
        ResultEncoding.score(result, into: &w)
        out += w.bytes
        out.append(UInt8(ascii: "\n"))
    }

    func lineError(_ number: Int, _ error: any Error) -> [UInt8] {
        Self.lineError(number, ErrorMapping.problem(for: error, retryAfter: configuration.retryAfterSeconds, logger: logger))
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
