import RewardService

/// Answers a batch of consecutive NDJSON lines: parses each, merges consecutive compatible lines
/// into runs (`NDJSONRun`, one service call each) and renders one answer line per input line.
struct NDJSONBatch {
    struct Line: Sendable {
        var number: Int
        var record: LineSplitter.Record
    }

    let app: RewardApplication
    let tenant: String

    func answer(_ lines: [Line]) async -> [UInt8] {
        let limit = max(1, min(app.configuration.ndjsonBatchItems, app.service.configuration.maxItemsPerRequest))
        var heads: [String: HeadInfo?] = [:]
        var last: (name: String?, info: HeadInfo?)?
        var out: [UInt8] = []
        var run = NDJSONRun()
        var decoder = ScoreLineDecoder(tenant: tenant)
        for line in lines {
            let query: ScoreQuery
            do {
                guard case .line(let bytes) = line.record else {
                    let max = app.configuration.maxNDJSONLineBytes
                    throw Problem(status: 413, title: "Payload too large", detail: "line longer than \(max) bytes")
                }
                if let fast = bytes.withUnsafeBufferPointer({ decoder.decode($0) }) {
                    query = fast
                } else {
                    query = try ScoringDTO.scoreQuery(try JSONParser.parse(Array(bytes)), tenant: tenant)
                }
            } catch {
                if !run.isEmpty { out += await app.scoreRun(run.take(), tenant: tenant) }
                out += app.lineError(line.number, error)
                continue
            }
            // Consecutive lines mostly name the same head: no hashing for a repeat.
            if last == nil || last?.name != query.head {
                let name = query.head ?? ""
                if heads[name] == nil { heads[name] = .some(headInfo(query.head)) }
                last = (query.head, heads[name] ?? nil)
            }
            let key = NDJSONRun.key(for: query, head: last?.info ?? nil)
            if !run.isEmpty && !run.accepts(key, items: query.items.count, limit: limit) {
                out += await app.scoreRun(run.take(), tenant: tenant)
            }
            run.append(.init(number: line.number, query: query), key: key)
            if key == nil || run.items >= limit { out += await app.scoreRun(run.take(), tenant: tenant) }
        }
        if !run.isEmpty { out += await app.scoreRun(run.take(), tenant: tenant) }
        return out
    }

    /// The head a line names (nil: the default); nil when unknown (the single path reports it).
    private func headInfo(_ name: String?) -> HeadInfo? {
        guard let name else { return app.service.heads.first { $0.isDefault } }
        return try? app.service.head(named: name)
    }
}
