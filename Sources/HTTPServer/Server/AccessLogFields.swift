import Logging

extension Logger.Metadata {
    /// The responder's `Response.logFields` join the transport's fields; the transport's own keys win
    /// so a responder cannot disguise the status, path or timing of a request.
    mutating func addResponseFields(_ fields: [(String, String)]) {
        for (key, value) in fields where self[key] == nil { self[key] = .string(value) }
    }
}
