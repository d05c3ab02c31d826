import HTTPServer
import RewardService

/// Label Studio's ML backend protocol under `/integrations/label-studio/` (label-studio-ml-backend
/// `label_studio_ml/api.py`): `GET /health`, `POST /setup`, `POST /predict`, `POST /webhook`.
/// `/health` and `/setup` do no model or database work, so they answer within Label Studio's 1 s / 3 s
/// budgets however busy the model worker is.
extension RewardApplication {
    static let labelStudioPrefix = "/integrations/label-studio"

    static func labelStudioHealth(_ app: RewardApplication, _ call: Call) async throws -> Response {
        var w = JSONWriter()
        w.objectStart()
        w.field("status", "UP")
        w.field("model_class", "RewardService")
        w.field("heads", app.service.heads.count)
        w.objectEnd()
        return json(200, w)
    }

    /// Called when a project connects the backend: checks the mapping and the labelling config, names the model.
    static func labelStudioSetup(_ app: RewardApplication, _ call: Call) async throws -> Response {
        let body = try ObjectReader(try await app.requiredJSON(call), at: "")
        let target = try app.labelStudioTarget(project: try labelStudioProject(body), caller: call.tenant)
        _ = try await app.integrationTenant(call, target: target)
        if let schema = try body.string("schema", maxBytes: 1 << 20) { _ = try LabelStudioConfig.parse(schema) }
        let head = try app.headInfo(target.head)
        var w = JSONWriter()
        w.objectStart()
        w.field("model_version", "\(head.name)@\(head.version)")
        w.objectEnd()
        return json(200, w)
    }

    /// One prediction per task for the annotator when known (population otherwise).
    static func labelStudioPredict(_ app: RewardApplication, _ call: Call) async throws -> Response {
        let body = try ObjectReader(try await app.requiredJSON(call), at: "")
        let project = try labelStudioProject(body)
        let target = try app.labelStudioTarget(project: project, caller: call.tenant)
        let tenant = try await app.integrationTenant(call, target: target)
        let config = try LabelStudioConfig.parse(try body.string("label_config", maxBytes: 1 << 20) ?? "")
        guard let tasks = try body.array("tasks", count: 0...1000) else { throw body.missing("tasks") }
        let requester = annotator(in: body.value("params"))
        var w = JSONWriter(capacity: 256 * tasks.count + 64)
        w.objectStart()
        w.key("results")
        w.arrayStart()
        var version: String?
        var work: [(LabelTask, UserSelector)] = []
        for (value, pointer) in tasks {
            let task = try LabelStudioPayload.task(value, config: config, project: project, pointer: pointer)
            let user = (requester ?? lastAnnotator(value)).map { UserSelector.stored(tenant: tenant, id: labelStudioUser($0)) } ?? .population
            work.append((task, user))
        }
        for p in try await app.predictConcurrently(work, head: target.head) {
            let modelVersion = "\(p.head)@\(p.headVersion)#" + (p.user.coldStart ? "population" : "v\(p.user.version)")
            version = version ?? modelVersion
            w.objectStart()
            w.key("result")
            w.arrayStart()
            w.objectStart()
            switch (config.control, p.answer) {
            case let (.pairwise(name, toName, _, _), .chose(side)):
                w.field("from_name", name)
                w.field("to_name", toName)
                w.field("type", "pairwise")
                w.key("value")
                w.objectStart()
                w.field("selected", side)
                w.objectEnd()
            case let (.ranker(name, toName, _, _), .ranked(ids)):
                w.field("from_name", name)
                w.field("to_name", toName)
                w.field("type", "ranker")
                w.key("value")
                w.objectStart()
                w.key("ranker")
                w.objectStart()
                w.key(name)
                w.arrayStart()
                for id in ids { w.string(id) }
                w.arrayEnd()
                w.objectEnd()
                w.objectEnd()
            default:
                preconditionFailure("a task's shape follows its config")
            }
            w.objectEnd()
            w.arrayEnd()
            w.field("score", p.score)
            w.field("model_version", modelVersion)
            w.objectEnd()
        }
        w.arrayEnd()
        if let version { w.field("model_version", version) }
        w.objectEnd()
        return json(200, w)
    }

    /// `ANNOTATION_CREATED`/`UPDATED` (also the bulk `ANNOTATIONS_CREATED`) apply the label to the annotator's
    /// history; `ANNOTATION(S)_DELETED` remove what it produced; other events are acknowledged and ignored.
    static func labelStudioWebhook(_ app: RewardApplication, _ call: Call) async throws -> Response {
        let body = try ObjectReader(try await app.requiredJSON(call), at: "")
        let action = try body.requiredString("action", maxBytes: 64)
        guard let projectValue = body.value("project") else {
            return webhookIgnored(action, reason: "no project in the event")
        }
        let projectObject = try ObjectReader(projectValue, at: "/project")
        guard let project = LabelStudioPayload.identifier(projectObject.value("id")) else {
            throw Problem.validation(pointer: "/project/id", "expected the project id")
        }
        let target = try app.labelStudioTarget(project: project, caller: call.tenant)
        let tenant = try await app.integrationTenant(call, target: target)
        var outcomes: [LabelOutcome] = []
        switch action {
        case "ANNOTATION_CREATED", "ANNOTATION_UPDATED", "ANNOTATIONS_CREATED":
            let config = try LabelStudioConfig.parse(try projectObject.string("label_config", maxBytes: 1 << 20) ?? "")
            for (annotation, task, pointer) in try annotationsWithTasks(body) {
                outcomes.append(try await app.applyLabelStudioAnnotation(
                    annotation, task: task, config: config, project: project, tenant: tenant, target: target, pointer: pointer))
            }
        case "ANNOTATION_DELETED", "ANNOTATIONS_DELETED":
            var ids: [String] = []
            if case .array(let list)? = body.value("annotations") {
                ids = list.compactMap { if case .object(let o) = $0 { LabelStudioPayload.identifier(o["id"]) } else { nil } }
            } else if case .object(let o)? = body.value("annotation"), let id = LabelStudioPayload.identifier(o["id"]) {
                ids = [id]
            }
            for id in ids {
                let source = LabelMapping.sourceKey(tool: .labelStudio, project: project, label: id)
                if let o = try await app.service.removeLabel(tenant: tenant, source: source, head: target.head,
                                                             adapt: app.configuration.integrations.adaptOnLabel) {
                    outcomes.append(o)
                }
            }
        default:
            return webhookIgnored(action, reason: "not an annotation event")
        }
        return webhookApplied(action, outcomes)
    }

    /// Tasks predicted a few at a time, so the model worker can coalesce them into shared passes; results
    /// in task order.
    func predictConcurrently(_ work: [(LabelTask, UserSelector)], head: String?, width: Int = 16) async throws -> [TaskPrediction] {
        var results = [TaskPrediction?](repeating: nil, count: work.count)
        try await withThrowingTaskGroup(of: (Int, TaskPrediction).self) { group in
            var next = 0
            func start() {
                guard next < work.count else { return }
                let (i, (task, user)) = (next, work[next])
                group.addTask { (i, try await service.predictLabel(task, user: user, head: head)) }
                next += 1
            }
            for _ in 0..<width { start() }
            while let (i, p) = try await group.next() {
                results[i] = p
                start()
            }
        }
        return results.map { $0! }
    }

    func applyLabelStudioAnnotation(
        _ annotation: JSONValue, task: JSONValue, config: LabelStudioConfig, project: String, tenant: String,
        target: IntegrationSettings.Target, pointer: String
    ) async throws -> LabelOutcome {
        let a = try ObjectReader(annotation, at: pointer)
        guard let id = LabelStudioPayload.identifier(a.value("id")) else {
            throw Problem.validation(pointer: a.path("id"), "expected the annotation id")
        }
        guard let annotator = Self.userID(a.value("completed_by")) else {
            throw Problem.validation(pointer: a.path("completed_by"), "expected the annotator's user id")
        }
        let labelTask = try LabelStudioPayload.task(task, config: config, project: project, pointer: "/task")
        let cancelled = try a.bool("was_cancelled") ?? false
        let answer = cancelled ? nil : try LabelStudioPayload.answer(a.value("result"), config: config, pointer: a.path("result"))
        // A skipped or emptied annotation implies no comparison: applying it removes what it produced before.
        let comparisons = try answer.map { try LabelMapping.comparisons(labelTask, label: id, answer: $0) } ?? []
        return try await service.applyLabel(
            tenant: tenant, user: Self.labelStudioUser(annotator), head: target.head,
            source: LabelMapping.sourceKey(tool: .labelStudio, project: project, label: id), origin: "label-studio",
            comparisons, adapt: configuration.integrations.adaptOnLabel)
    }

    /// (annotation, its task, pointer) for single and bulk events.
    static func annotationsWithTasks(_ body: ObjectReader) throws(Problem) -> [(JSONValue, JSONValue, String)] {
        switch (body.value("annotation"), body.value("task")) {
        case let (a?, .object(t)?) where { if case .object = a { true } else { false } }():
            return [(a, .object(t), "/annotation")]
        case let (.array(annotations)?, .array(tasks)?):
            let byID = Dictionary(tasks.compactMap { t -> (String, JSONValue)? in
                guard case .object(let o) = t, let id = LabelStudioPayload.identifier(o["id"]) else { return nil }
                return (id, t)
            }, uniquingKeysWith: { a, _ in a })
            return try annotations.enumerated().map { i, a throws(Problem) in
                guard case .object(let o) = a, let taskID = LabelStudioPayload.identifier(o["task"]), let t = byID[taskID] else {
                    throw Problem.validation(pointer: "/annotation/\(i)/task", "the annotation's task is not in the event")
                }
                return (a, t, "/annotation/\(i)")
            }
        case (nil, _):
            throw Problem.validation(pointer: "/annotation", "an annotation event carries \"annotation\"")
        default:
            throw Problem.validation(pointer: "/task", "an annotation event carries the full \"task\" (with its data)")
        }
    }

    /// `"12.1700000000"` (id.created-at, as Label Studio sends it) or a number → `"12"`.
    static func labelStudioProject(_ body: ObjectReader) throws(Problem) -> String {
        switch body.value("project") {
        case .string(let s)?:
            let id = String(s.split(separator: ".", maxSplits: 1).first ?? "")
            guard !id.isEmpty else { throw Problem.validation(pointer: "/project", "expected the project id") }
            return id
        case let v?:
            guard let id = LabelStudioPayload.identifier(v) else { throw Problem.validation(pointer: "/project", "expected the project id") }
            return id
        case nil:
            throw body.missing("project")
        }
    }

    /// The annotator a `/predict` call is for, when Label Studio says (`params.context.user_id`, `params.user_id`).
    static func annotator(in params: JSONValue?) -> String? {
        guard case .object(let p)? = params else { return nil }
        if case .object(let context)? = p["context"] {
            if let u = userID(context["user_id"]) ?? userID(context["user"]) { return u }
        }
        return userID(p["user_id"])
    }

    /// The annotator of the task's most recently updated annotation, if it carries annotations.
    static func lastAnnotator(_ task: JSONValue) -> String? {
        guard case .object(let t) = task, case .array(let annotations)? = t["annotations"] else { return nil }
        var best: (String, String)?
        for case .object(let a) in annotations {
            guard let user = userID(a["completed_by"]) else { continue }
            let stamp = LabelStudioPayload.string(a["updated_at"]) ?? ""
            if best == nil || stamp >= best!.1 { best = (user, stamp) }
        }
        return best?.0
    }

    /// `completed_by` is a user id, or a user object with one.
    static func userID(_ value: JSONValue?) -> String? {
        if case .object(let o)? = value { return LabelStudioPayload.identifier(o["id"]) }
        return LabelStudioPayload.identifier(value)
    }

    /// Annotators' histories are namespaced by tool so ids from different tools never collide.
    static func labelStudioUser(_ id: String) -> String { "label-studio:\(id)" }

    /// The project's tenant and head. Without any mapping every project belongs to the caller's tenant (the
    /// API key's, or the default one) and the default head.
    func labelStudioTarget(project: String, caller tenant: String) throws(Problem) -> IntegrationSettings.Target {
        let map = configuration.integrations.labelStudioProjects
        if map.isEmpty { return .init(tenant: tenant) }
        guard let t = map[project] ?? map["*"] else {
            throw Problem.notFound("Label Studio project \(project) is not mapped to a tenant and head (--label-studio-project \(project)=TENANT:HEAD)")
        }
        return t
    }

    func headInfo(_ name: String?) throws -> HeadInfo {
        if let name { return try service.head(named: name) }
        guard let h = service.heads.first(where: \.isDefault) else { throw ScoringError(.headNotFound, "no head is loaded") }
        return h
    }

    static func webhookIgnored(_ action: String, reason: String) -> Response {
        var w = JSONWriter()
        w.objectStart()
        w.field("status", "ignored")
        w.field("action", action)
        w.field("reason", reason)
        w.objectEnd()
        return json(200, w)
    }

    static func webhookApplied(_ action: String, _ outcomes: [LabelOutcome]) -> Response {
        var w = JSONWriter()
        w.objectStart()
        w.field("status", "ok")
        w.field("action", action)
        w.key("labels")
        w.arrayStart()
        for o in outcomes {
            w.objectStart()
            w.field("user", o.user)
            w.field("stored", o.stored)
            w.field("replaced", o.replaced)
            w.field("unchanged", o.unchanged)
            w.field("removed", o.removed)
            w.key("comparisons")
            w.arrayStart()
            for id in o.comparisonIDs { w.string(id) }
            w.arrayEnd()
            w.key("state_version")
            if let a = o.adapt { w.int(Int(a.version)) } else { w.null() }
            w.objectEnd()
        }
        w.arrayEnd()
        w.objectEnd()
        return json(200, w)
    }
}
