import Synchronization

/// Request counters by route template and status, in Prometheus text format. Labels are templates,
/// never ids, so cardinality stays bounded.
final class APIMetrics: Sendable {
    private struct Key: Hashable {
        var template: String
        var method: String
        var status: Int
    }

    private struct State {
        var requests: [Key: Int] = [:]
        var items = 0
    }

    private let state = Mutex(State())

    func record(template: String, method: String, status: Int) {
        state.withLock { $0.requests[Key(template: template, method: method, status: status), default: 0] += 1 }
    }

    func itemsScored(_ n: Int) { state.withLock { $0.items += n } }

    func render() -> String {
        let s = state.withLock { $0 }
        var out = "# HELP reward_http_requests_total Requests by route template, method and status.\n"
        out += "# TYPE reward_http_requests_total counter\n"
        for (k, v) in s.requests.sorted(by: { ($0.key.template, $0.key.status) < ($1.key.template, $1.key.status) }) {
            out += "reward_http_requests_total{route=\"\(k.template)\",method=\"\(k.method)\",status=\"\(k.status)\"} \(v)\n"
        }
        out += "# HELP reward_items_scored_total Items scored or compared.\n# TYPE reward_items_scored_total counter\n"
        out += "reward_items_scored_total \(s.items)\n"
        return out
    }
}
