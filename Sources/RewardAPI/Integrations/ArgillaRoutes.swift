import HTTPServer
import RewardService

/// `POST /integrations/argilla/webhook`: Argilla v2 webhooks, signed with the Standard Webhooks scheme.
/// The secret that verifies the signature names the tenant; `response.created`/`updated` apply a submitted
/// response to its user's history, a draft or discarded one (and `response.deleted`) removes what it produced.
extension RewardApplication {
    static func argillaWebhook(_ app: RewardApplication, _ call: Call) async throws -> Response {
        let settings = app.configuration.integrations
        let bytes = try await call.request.body.collect(upTo: app.configuration.maxBodyBytes)
        let tenants = settings.argillaSecrets.keys.sorted()
        let keys = tenants.compactMap { settings.argillaSecrets[$0].flatMap(StandardWebhook.key) }
        guard !keys.isEmpty, keys.count == tenants.count else {
            // Not enabled (or misconfigured): nothing here accepts Argilla deliveries.
            throw Problem.notFound("Argilla webhooks are not enabled: configure a secret with --argilla-secret-file TENANT=FILE")
        }
        let tenant: String
        switch StandardWebhook.verify(headers: call.request.headers, body: bytes, keys: keys, now: settings.now(),
                                      tolerance: settings.webhookTolerance) {
        case .success(let index): tenant = tenants[index]
        case .failure(let failure):
            let detail = switch failure {
            case .missingHeaders: "webhook-id, webhook-timestamp and webhook-signature headers are required"
            case .badTimestamp: "webhook-timestamp is not a Unix time in seconds"
            case .stale: "webhook-timestamp is outside the accepted window (replayed or clock skew)"
            case .badSignature: "webhook-signature does not verify under any configured secret"
            }
            throw Problem(status: 401, title: "Unauthorized", detail: detail, headers: ["WWW-Authenticate": #"Signature realm="argilla""#])
        }
        try app.requireMediaType(call.request, ["application/json"])
        let body = try ObjectReader(try JSONParser.parse(bytes), at: "")
        let type = try body.requiredString("type", maxBytes: 64)
        guard type.hasPrefix("response.") else { return webhookIgnored(type, reason: "not a response event") }
        guard case .object(let data)? = body.value("data") else { throw Problem.validation(pointer: "/data", "expected the event data") }
        if type == "response.deleted" {
            guard let id = ArgillaPayload.string(data["id"]) else { throw Problem.validation(pointer: "/data/id", "expected the response id") }
            var outcomes: [LabelOutcome] = []
            // The deleted event names only the response: its dataset is whatever the label was recorded under.
            for source in [LabelMapping.sourceKey(tool: .argilla, project: "*", label: id)] {
                if let o = try await app.service.removeLabel(tenant: tenant, source: source, head: nil, adapt: settings.adaptOnLabel) {
                    outcomes.append(o)
                }
            }
            return webhookApplied(type, outcomes)
        }
        guard type == "response.created" || type == "response.updated" else { return webhookIgnored(type, reason: "unknown response event") }
        let response = try ArgillaPayload.response(data)
        let target = try app.argillaTarget(response, tenant: tenant)
        // Only submitted responses are labels; a draft or discarded one carries none (and retracts an earlier one).
        let answer = response.status == "submitted" ? response.answer : nil
        let comparisons = try answer.map { try LabelMapping.comparisons(response.task, label: response.id, answer: $0) } ?? []
        let outcome = try await app.service.applyLabel(
            tenant: tenant, user: response.user, head: target.head,
            source: LabelMapping.sourceKey(tool: .argilla, project: "*", label: response.id), origin: "argilla",
            comparisons, adapt: settings.adaptOnLabel)
        return webhookApplied(type, [outcome])
    }

    func argillaTarget(_ response: ArgillaPayload.Response, tenant: String) throws(Problem) -> IntegrationSettings.Target {
        let map = configuration.integrations.argillaDatasets
        if map.isEmpty { return .init(tenant: tenant) }
        guard let t = map[response.datasetName] ?? map[response.datasetID] ?? map["*"] else {
            throw Problem.notFound("Argilla dataset \"\(response.datasetName)\" is not mapped (--argilla-dataset NAME=TENANT:HEAD)")
        }
        guard t.tenant == tenant else {
            throw Problem(status: 403, title: "Forbidden", detail: "dataset \"\(response.datasetName)\" belongs to another tenant than this webhook's secret")
        }
        return t
    }
}
