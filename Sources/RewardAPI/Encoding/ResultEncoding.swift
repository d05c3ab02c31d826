import Foundation
import RewardService

/// Domain results → JSON bodies (field names as in openapi.yaml).
enum ResultEncoding {
    static func user(_ w: inout JSONWriter, _ u: UserSummary) {
        w.key("user")
        w.objectStart()
        w.key("id")
        if let id = u.id { w.string(id) } else { w.null() }
        w.field("version", Int(u.version))
        w.field("cold_start", u.coldStart)
        w.objectEnd()
    }

    static func score(_ r: ScoreResult, into w: inout JSONWriter) {
        w.objectStart()
        w.key("scores")
        w.numbers(r.scores)
        w.field("head", r.head)
        user(&w, r.user)
        w.objectEnd()
    }

    static func rank(_ r: RankResult) -> JSONWriter {
        var w = JSONWriter()
        w.objectStart()
        w.key("order")
        w.arrayStart()
        for i in r.order { w.int(i) }
        w.arrayEnd()
        w.key("scores")
        w.numbers(r.scores)
        w.key("probability")
        if let p = r.probability { w.number(p) } else { w.null() }
        w.field("head", r.head)
        user(&w, r.user)
        w.objectEnd()
        return w
    }

    static func compare(_ r: CompareResult, single: Bool) -> JSONWriter {
        var w = JSONWriter()
        w.objectStart()
        if single, let p = r.results.first {
            w.field("p_a", p.pA)
            w.field("margin", p.margin)
        } else {
            w.key("results")
            w.arrayStart()
            for p in r.results {
                w.objectStart()
                w.field("p_a", p.pA)
                w.field("margin", p.margin)
                w.objectEnd()
            }
            w.arrayEnd()
        }
        w.field("head", r.head)
        user(&w, r.user)
        w.objectEnd()
        return w
    }

    static func adapt(_ a: AdaptOutcome, into w: inout JSONWriter) {
        w.objectStart()
        w.key("state")
        w.objectStart()
        w.key("theta")
        w.numbers(a.theta)
        w.field("version", Int(a.version))
        w.objectEnd()
        w.field("head", a.head)
        w.field("version", Int(a.version))
        w.field("n", a.n)
        w.field("train_accuracy", a.trainAccuracy)
        w.field("loss", a.loss)
        w.field("gradient_norm", a.gradientNorm)
        w.field("iterations", a.iterations)
        w.field("converged", a.converged)
        w.field("took_ms", a.tookMs)
        w.objectEnd()
    }

    static func comparison(_ c: ComparisonRecord, features: Bool, into w: inout JSONWriter) {
        w.objectStart()
        w.field("id", c.id)
        w.field("seq", Int(c.sequence))
        w.field("feature_space", c.featureSpace)
        if c.prompt != nil || c.promptText != nil {
            w.key("prompt")
            item(c.prompt, c.promptText, features: features, into: &w)
        }
        w.key("chosen")
        item(c.chosen, c.chosenText, features: features, into: &w)
        w.key("rejected")
        item(c.rejected, c.rejectedText, features: features, into: &w)
        w.field("weight", c.weight)
        w.key("source")
        if let s = c.source { w.string(s) } else { w.null() }
        w.field("created_at", timestamp(c.createdAt))
        w.field("updated_at", timestamp(c.updatedAt))
        w.objectEnd()
    }

    /// An item as stored: its text when there is one, its features as base64 when asked for.
    private static func item(_ f: [Float]?, _ text: String?, features: Bool, into w: inout JSONWriter) {
        w.objectStart()
        if let text { w.field("text", text) }
        if let f {
            w.field("dim", f.count)
            if features { w.field("features_b64", Base64Floats.encode(f)) }
        }
        w.objectEnd()
    }

    static func timestamp(_ d: Date) -> String {
        Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(d)
    }
}
