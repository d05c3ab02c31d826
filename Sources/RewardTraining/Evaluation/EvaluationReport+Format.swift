import Foundation

extension EvaluationReport {
    /// One JSON object: {"seen":{…},"unseen":[{…}],"noise":{…}} (docs/DATASETS.md).
    public func json() -> String {
        func num(_ x: Double?) -> String { x.map { $0.isFinite ? String(format: "%.6g", $0) : "null" } ?? "null" }
        func fit(_ f: Fit) -> String { "{\"accuracy\":\(num(f.accuracy)),\"log_loss\":\(num(f.logLoss))}" }
        var parts = ["\"head\":\(PreferenceDataset.quote(head))", "\"kind\":\(PreferenceDataset.quote(kind))"]
        if let s = seen {
            parts.append("\"seen\":{\"accuracy\":\(num(s.accuracy)),\"oracle\":\(num(s.oracle)),\"bt\":\(num(s.bt)),\"users\":\(s.users),\"pairs\":\(s.pairs)}")
        } else {
            parts.append("\"seen\":null")
        }
        let points = unseen.map {
            "{\"n\":\($0.n),\"accuracy\":\(num($0.accuracy)),\"oracle\":\(num($0.oracle)),\"ceiling\":\(num($0.ceiling)),\"bt\":\(num($0.bt)),\"pal_schedule\":\(num($0.palSchedule)),\"users\":\($0.users)}"
        }
        parts.append("\"unseen\":[\(points.joined(separator: ","))]")
        if let z = noise {
            parts.append("\"noise\":{\"epsilon\":\(num(z.epsilon)),\"n\":\(z.n),\"corrected\":\(fit(z.corrected)),\"uncorrected\":\(fit(z.uncorrected)),\"clean\":\(fit(z.clean))}")
        }
        return "{" + parts.joined(separator: ",") + "}"
    }

    /// Markdown tables.
    public func table() -> String {
        func pct(_ x: Double?) -> String { x.map { String(format: "%.1f", 100 * $0) } ?? "–" }
        var out = "**\(head)** (\(kind))\n\n"
        if let s = seen {
            out += "| seen users | accuracy % | oracle % | population BT % | users | test pairs |\n|---|---|---|---|---|---|\n"
            out += "| | \(pct(s.accuracy)) | \(pct(s.oracle)) | \(pct(s.bt)) | \(s.users) | \(s.pairs) |\n\n"
        }
        if !unseen.isEmpty {
            out += "| unseen n | adapt % | ceiling % | oracle % | PAL schedule % | population BT % | users |\n|---|---|---|---|---|---|---|\n"
            for p in unseen {
                out += "| \(p.n) | \(pct(p.accuracy)) | \(pct(p.ceiling)) | \(pct(p.oracle)) | \(pct(p.palSchedule)) | \(pct(p.bt)) | \(p.users) |\n"
            }
            out += "\n"
        }
        if let z = noise {
            out += "| ε = \(z.epsilon), n = \(z.n) | accuracy % | test log-loss |\n|---|---|---|\n"
            for (name, f) in [("adapt with label_noise ε", z.corrected), ("adapt, uncorrected", z.uncorrected), ("adapt on clean labels", z.clean)] {
                out += "| \(name) | \(pct(f.accuracy)) | \(String(format: "%.4f", f.logLoss)) |\n"
            }
            out += "\n"
        }
        return out
    }

    /// Accuracy against n, one line per method.
    public func svg(title: String) -> String {
        var series: [SVGPlot.Series] = [.init(name: "adapt (this head)", points: unseen.map { (Double($0.n), $0.accuracy) })]
        func add(_ name: String, _ key: (Point) -> Double?) {
            let points = unseen.compactMap { p in key(p).map { (Double(p.n), $0) } }
            if !points.isEmpty { series.append(.init(name: name, points: points)) }
        }
        add("ceiling (true head)") { $0.ceiling }
        add("oracle") { $0.oracle }
        add("PAL schedule") { $0.palSchedule }
        add("population BT") { $0.bt }
        return SVGPlot(title: title, xLabel: "training pairs per unseen user (n, log scale)", yLabel: "test accuracy", series: series).render()
    }
}
