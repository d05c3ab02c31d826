import RewardService

/// Label Studio's JSON (task data, annotation results) read against the project's labelling config.
/// Shapes: label-studio `webhooks/models.py` (annotation events carry `annotation` and the full `task`),
/// the `Pairwise` tag (`value.selected` = `left`/`right`) and the `Ranker` tag (`value.ranker` =
/// `{<ranker name>: [ids]}`, or a bare array in older releases). See docs/INTEGRATIONS.md.
enum LabelStudioPayload {
    /// The task as items to compare. `pointer` locates the task in the request for error messages.
    static func task(_ value: JSONValue, config: LabelStudioConfig, project: String, pointer: String) throws(Problem) -> LabelTask {
        guard case .object(let task) = value else { throw Problem.validation(pointer: pointer, "a task is an object") }
        let id = identifier(task["id"]) ?? "unknown"
        guard case .object(let data)? = task["data"] else {
            throw Problem.validation(pointer: pointer + "/data", "the task has no \"data\" object")
        }
        func text(_ key: String) throws(Problem) -> String {
            guard case .string(let s)? = data[key], !s.isEmpty else {
                throw Problem.validation(pointer: "\(pointer)/data/\(JSONPointer.escape(key))",
                                         "the labelling config reads task data \"\(key)\" as text, but the task has no non-empty string there")
            }
            return s
        }
        var prompt: String?
        if let key = config.promptKey, case .string(let s)? = data[key], !s.isEmpty { prompt = s }
        switch config.control {
        case let .pairwise(_, _, leftKey, rightKey):
            return LabelTask(tool: .labelStudio, project: project, task: id, prompt: prompt,
                             shape: .pairwise(left: .init(id: "left", text: try text(leftKey)), right: .init(id: "right", text: try text(rightKey))))
        case let .ranker(_, _, listKey, _):
            let at = "\(pointer)/data/\(JSONPointer.escape(listKey))"
            guard case .array(let elements)? = data[listKey], elements.count >= 2 else {
                throw Problem.validation(pointer: at, "a Ranker task needs a list of at least 2 items at data \"\(listKey)\"")
            }
            var items: [LabelTask.Item] = []
            for (i, e) in elements.enumerated() {
                guard case .object(let o) = e, let itemID = identifier(o["id"]) else {
                    throw Problem.validation(pointer: "\(at)/\(i)", "a List item is an object with an \"id\"")
                }
                // The item's content: its body (or text/html); the title only when there is nothing else.
                let content = ["body", "text", "html", "title"].lazy.compactMap { k -> String? in
                    if case .string(let s)? = o[k], !s.isEmpty { return s } else { return nil }
                }.first
                guard let content else { throw Problem.validation(pointer: "\(at)/\(i)", "the List item has no body, text or title") }
                items.append(.init(id: itemID, text: content))
            }
            return LabelTask(tool: .labelStudio, project: project, task: id, prompt: prompt, shape: .ranking(items))
        }
    }

    /// The annotator's answer in an annotation's `result`; nil when the annotation holds no answer for the
    /// comparison control (skipped, or the annotator left the pair unselected).
    static func answer(_ result: JSONValue?, config: LabelStudioConfig, pointer: String) throws(Problem) -> LabelAnswer? {
        guard let result, case .array(let regions) = result else { return nil }
        for (i, region) in regions.enumerated() {
            guard case .object(let r) = region, case .object(let value)? = r["value"] else { continue }
            let type = string(r["type"])?.lowercased()
            let at = "\(pointer)/\(i)/value"
            switch config.control {
            case let .pairwise(name, _, _, _):
                guard type == "pairwise", string(r["from_name"]).map({ $0 == name }) ?? true else { continue }
                switch string(value["selected"]) {
                case "left": return .chose("left")
                case "right": return .chose("right")
                case "none", nil: return nil
                case let other?: throw Problem.validation(pointer: at + "/selected", "Pairwise selects \"left\" or \"right\", got \"\(other)\"")
                }
            case let .ranker(name, _, _, hasBuckets):
                guard type == "ranker", string(r["from_name"]).map({ $0 == name }) ?? true else { continue }
                guard !hasBuckets else {
                    throw Problem(status: 422, title: "Operation not supported by this head",
                                  detail: "a Ranker with Buckets groups items instead of ordering them: use a plain <Ranker> over a <List>")
                }
                let ids: [JSONValue]
                switch value["ranker"] {
                case .array(let a)?: ids = a
                case .object(let o)?:
                    guard case .array(let a)? = o[name] else {
                        throw Problem.validation(pointer: at + "/ranker", "expected the order under the Ranker's name \"\(name)\"")
                    }
                    ids = a
                default: throw Problem.validation(pointer: at + "/ranker", "expected the ranked item ids")
                }
                var order: [[String]] = []
                for (j, v) in ids.enumerated() {
                    guard let s = identifier(v) else { throw Problem.validation(pointer: "\(at)/ranker/\(j)", "expected an item id") }
                    order.append([s])
                }
                return order.count >= 2 ? .ranked(order) : nil
            }
        }
        return nil
    }

    /// Label Studio ids are integers; a string id is accepted as is.
    static func identifier(_ value: JSONValue?) -> String? {
        switch value {
        case .number(let d)?: return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : nil
        case .string(let s)? where !s.isEmpty && s.utf8.count <= 200: return s
        default: return nil
        }
    }

    static func string(_ value: JSONValue?) -> String? {
        if case .string(let s)? = value { return s }
        return nil
    }
}
