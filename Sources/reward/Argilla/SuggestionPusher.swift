import ArgumentParser
import Foundation

/// The work of `reward argilla push-suggestions`, separate from argument parsing.
struct SuggestionPusher {
    struct Report {
        var question: String
        var pushed = 0
        var skipped = 0
    }

    struct Question {
        var id: String
        var name: String
        var type: String
        var options: [String]
    }

    let argilla: JSONClient
    let reward: JSONClient
    let agent: String
    let user: String?
    let head: String?

    func push(dataset: String, question name: String?, pageSize: Int) async throws -> Report {
        let questions = try await argilla.send("GET", "datasets/\(dataset)/questions")
        let q = try Self.question(questions, named: name)
        var report = Report(question: q.name)
        var offset = 0
        while true {
            let page = try await argilla.send("GET", "datasets/\(dataset)/records",
                                              query: [.init(name: "offset", value: String(offset)), .init(name: "limit", value: String(pageSize))])
            let items = ((page as? [String: Any])?["items"] as? [[String: Any]]) ?? []
            for record in items {
                guard let id = record["id"] as? String, let fields = record["fields"] as? [String: Any] else { report.skipped += 1; continue }
                let texts = q.options.compactMap { fields[$0] as? String }.filter { !$0.isEmpty }
                guard texts.count == q.options.count else { report.skipped += 1; continue }
                let shares = try await scores(texts)
                try await argilla.send("PUT", "records/\(id)/suggestions", body: Self.suggestion(q, shares: shares, agent: agent))
                report.pushed += 1
            }
            offset += items.count
            if items.count < pageSize { break }
        }
        return report
    }

    /// Each option's softmax share of the record's reward scores (in [0, 1], summing to 1).
    func scores(_ texts: [String]) async throws -> [Double] {
        var body: [String: Any] = ["items": texts.map { ["text": $0] }]
        if let user { body["user"] = user }
        if let head { body["head"] = head }
        let reply = try await reward.send("POST", "v1/rank", body: body)
        guard let scores = (reply as? [String: Any])?["scores"] as? [Double], scores.count == texts.count else {
            throw JSONClient.Failure(description: "the reward service's /v1/rank reply has no scores")
        }
        let top = scores.max() ?? 0
        let exps = scores.map { exp($0 - top) }
        let sum = exps.reduce(0, +)
        return exps.map { min(1, max(0, $0 / sum)) }
    }

    /// A ranking suggestion orders every option (rank 1 = best) with one score per entry; a label suggestion
    /// names the best option with its share as the score.
    static func suggestion(_ q: Question, shares: [Double], agent: String) -> [String: Any] {
        let order = shares.indices.sorted { shares[$0] > shares[$1] }
        var body: [String: Any] = ["question_id": q.id, "type": "model", "agent": agent]
        if q.type == "ranking" {
            body["value"] = order.enumerated().map { ["value": q.options[$0.element], "rank": $0.offset + 1] }
            body["score"] = order.map { shares[$0] }
        } else {
            body["value"] = q.options[order[0]]
            body["score"] = shares[order[0]]
        }
        return body
    }

    /// The named question, or the first ranking/label question (its options must name record fields).
    static func question(_ reply: Any, named name: String?) throws -> Question {
        let items = ((reply as? [String: Any])?["items"] as? [[String: Any]]) ?? []
        for q in items {
            guard let id = q["id"] as? String, let qName = q["name"] as? String, let settings = q["settings"] as? [String: Any],
                  let type = settings["type"] as? String, type == "ranking" || type == "label_selection" else { continue }
            if let name, name != qName { continue }
            let options = ((settings["options"] as? [[String: Any]]) ?? []).compactMap { $0["value"] as? String }
            guard options.count >= 2 else { continue }
            return Question(id: id, name: qName, type: type, options: options)
        }
        throw ValidationError(name.map { "no ranking or label question named \"\($0)\" in the dataset" }
                              ?? "the dataset has no ranking or label question with at least two options")
    }
}
