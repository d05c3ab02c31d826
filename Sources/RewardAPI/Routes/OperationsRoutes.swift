import HTTPServer
import RewardService

extension RewardApplication {
    static func healthz(_ app: RewardApplication, _ call: Call) async throws -> Response {
        var w = JSONWriter()
        w.objectStart()
        w.field("status", "ok")
        w.objectEnd()
        return json(200, w)
    }

    /// Ready = accepting traffic (not draining), heads loaded, store reachable.
    static func readyz(_ app: RewardApplication, _ call: Call) async throws -> Response {
        var checks: [(String, String)] = []
        var ready = true
        if !app.configuration.isAcceptingTraffic() {
            ready = false
            checks.append(("server", "draining"))
        }
        do {
            try await app.service.checkReady()
            checks.append(("store", "ok"))
        } catch {
            ready = false
            checks.append(("store", error.message))
        }
        checks.append(("heads", app.service.heads.isEmpty ? "none loaded" : "\(app.service.heads.count) loaded"))
        var w = JSONWriter()
        w.objectStart()
        w.field("status", ready ? "ready" : "not_ready")
        w.key("checks")
        w.objectStart()
        for (k, v) in checks { w.field(k, v) }
        w.objectEnd()
        w.objectEnd()
        return json(ready ? 200 : 503, w, headers: ready ? [:] : ["Retry-After": String(app.configuration.retryAfterSeconds)])
    }

    static func info(_ app: RewardApplication, _ call: Call) async throws -> Response {
        let c = app.configuration
        var w = JSONWriter()
        w.objectStart()
        w.field("name", "reward")
        w.field("version", c.version)
        w.key("limits")
        w.objectStart()
        w.field("max_body_bytes", c.maxBodyBytes)
        w.field("max_ndjson_line_bytes", c.maxNDJSONLineBytes)
        w.field("max_items", app.service.configuration.maxItemsPerRequest)
        w.field("max_queued_items", app.service.configuration.maxQueuedItems)
        w.field("max_in_flight", c.maxInFlight)
        for (k, v) in c.transportInfo.sorted(by: { $0.key < $1.key }) { w.field(k, v) }
        w.objectEnd()
        w.key("heads")
        w.arrayStart()
        for h in app.service.heads { w.string(h.name) }
        w.arrayEnd()
        w.key("encoder")
        if let e = app.service.encoder { w.string(e.modelName) } else { w.null() }
        w.objectEnd()
        return json(200, w)
    }

    /// Prometheus text exposition. Gauges describing current state are sampled first.
    static func metricsText(_ app: RewardApplication, _ call: Call) async throws -> Response {
        app.service.collectMetrics()
        app.metrics.inFlight.record(app.admission.current)
        let body = app.configuration.metricsRenderer?() ?? Array("# no metrics backend is configured\n".utf8)
        return Response(status: 200, headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"], body: .bytes(body))
    }

    static func openAPI(_ app: RewardApplication, _ call: Call) async throws -> Response {
        Response(status: 200, headers: ["Content-Type": "application/yaml"], body: .bytes(PackageResources.openapi_yaml))
    }

    static func listHeads(_ app: RewardApplication, _ call: Call) async throws -> Response {
        var w = JSONWriter()
        w.objectStart()
        w.key("heads")
        w.arrayStart()
        for h in app.service.heads { head(h, into: &w) }
        w.arrayEnd()
        w.objectEnd()
        return json(200, w)
    }

    static func getHead(_ app: RewardApplication, _ call: Call) async throws -> Response {
        let info = try app.service.head(named: call.parameters["name"] ?? "")
        var w = JSONWriter()
        head(info, into: &w)
        return json(200, w)
    }

    static func head(_ h: HeadInfo, into w: inout JSONWriter) {
        w.objectStart()
        w.field("name", h.name)
        w.field("kind", h.kind)
        w.field("feature_dim", h.featureDim)
        w.key("prompt_dim")
        if let p = h.promptDim { w.int(p) } else { w.null() }
        w.field("state_dim", h.stateDim)
        w.field("default", h.isDefault)
        w.field("version", h.version)
        w.field("feature_space", h.featureSpace)
        w.key("backbone")
        if let b = h.backbone { w.string(b) } else { w.null() }
        w.field("uses_prompt", h.promptDim != nil)
        w.field("requires_prompt", h.requiresPrompt)
        w.field("parameters", h.parameterCount)
        w.field("seen_users", h.seenUsers)
        w.key("adapt_prior")
        if let p = h.adaptPrior { w.number(p) } else { w.null() }
        w.objectEnd()
    }
}
