import RewardService

/// Argilla's webhook payloads (argilla-server `webhooks/v1`: `{type, version, timestamp, data}` where a
/// response's `data` is `ResponseEventSchema` — `values`, `status`, `user`, and the `record` with its
/// `fields` and `dataset` (questions with their settings); `response.deleted` carries only `{id}`).
/// The comparison question is the first ranking or label question whose options name record fields.
enum ArgillaPayload {
    struct Response {
        var id: String
        var status: String
        var user: String
        var datasetName: String
        var datasetID: String
        var task: LabelTask
        var answer: LabelAnswer?
    }

    static func response(_ data: JSONObject) throws(Problem) -> Response {
        guard let id = string(data["id"]) else { throw Problem.validation(pointer: "/data/id", "expected the response id") }
        guard case .object(let user)? = data["user"], let userID = string(user["id"]) else {
            throw Problem.validation(pointer: "/data/user/id", "expected the user who responded")
        }
        guard case .object(let record)? = data["record"], case .object(let dataset)? = record["dataset"] else {
            throw Problem.validation(pointer: "/data/record/dataset", "expected the record and its dataset")
        }
        guard case .object(let fields)? = record["fields"] else {
            throw Problem.validation(pointer: "/data/record/fields", "expected the record's fields")
        }
        let datasetName = string(dataset["name"]) ?? ""
        guard let datasetID = string(dataset["id"]) else { throw Problem.validation(pointer: "/data/record/dataset/id", "expected the dataset id") }
        var values: JSONObject?
        if case .object(let v)? = data["values"] { values = v }
        guard case .array(let questions)? = dataset["questions"] else {
            throw Problem.validation(pointer: "/data/record/dataset/questions", "expected the dataset's questions")
        }
        var chosen: (name: String, type: String, options: [String])?
        for case .object(let q) in questions {
            guard let name = string(q["name"]), case .object(let settings)? = q["settings"], let type = string(settings["type"]),
                  type == "ranking" || type == "label_selection", case .array(let opts)? = settings["options"] else { continue }
            let options = opts.compactMap { o -> String? in if case .object(let x) = o { string(x["value"]) } else { nil } }
            guard options.count >= 2, options.allSatisfy({ text(fields[$0]) != nil }) else { continue }
            if chosen == nil || (values?[name] != nil && values?[chosen!.name] == nil) { chosen = (name, type, options) }
        }
        guard let question = chosen else {
            throw Problem(status: 422, title: "Request validation failed",
                          detail: "dataset \"\(datasetName)\" has no ranking or label question whose options name record fields holding text",
                          errors: [.init(pointer: "/data/record/dataset/questions", message: "no comparison question")])
        }
        let items = question.options.map { LabelTask.Item(id: $0, text: text(fields[$0])!) }
        let promptField = fields.keys.first { !question.options.contains($0) && text(fields[$0]) != nil }
        let recordID = string(record["id"]) ?? "unknown"
        let shape: LabelTask.Shape = items.count == 2 ? .pairwise(left: items[0], right: items[1]) : .ranking(items)
        let task = LabelTask(tool: .argilla, project: datasetID, task: recordID, prompt: promptField.flatMap { text(fields[$0]) }, shape: shape)
        var answer: LabelAnswer?
        if case .object(let entry)? = values?[question.name] {
            let at = "/data/values/\(JSONPointer.escape(question.name))/value"
            switch (question.type, entry["value"]) {
            case ("label_selection", .string(let label)?):
                answer = .chose(label)
            case ("ranking", .array(let ranked)?):
                var ranks: [(id: String, rank: Int)] = []
                for case .object(let r) in ranked {
                    guard let v = string(r["value"]) else { throw Problem.validation(pointer: at, "a ranking entry names an option") }
                    guard case .number(let n)? = r["rank"], n == n.rounded(), n >= 1, n <= 1000 else { continue }  // unranked (draft)
                    ranks.append((v, Int(n)))
                }
                let tiers = LabelMapping.tiers(fromRanks: ranks)
                answer = tiers.count >= 2 ? .ranked(tiers) : nil
            case (_, nil), (_, .null?):
                answer = nil
            default:
                throw Problem.validation(pointer: at, "unexpected \(question.type) answer")
            }
        }
        return Response(id: id, status: string(data["status"]) ?? "submitted", user: "argilla:\(userID)",
                        datasetName: datasetName, datasetID: datasetID, task: task, answer: answer)
    }

    static func string(_ v: JSONValue?) -> String? {
        if case .string(let s)? = v, !s.isEmpty, s.utf8.count <= 200 { return s }
        return nil
    }

    static func text(_ v: JSONValue?) -> String? {
        if case .string(let s)? = v, !s.isEmpty { return s }
        return nil
    }
}
