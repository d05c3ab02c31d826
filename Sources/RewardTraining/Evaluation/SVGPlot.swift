import Foundation

/// A small self-contained line chart (log₂ x axis) as SVG text: no dependencies, readable in any browser.
struct SVGPlot {
    struct Series {
        var name: String
        var points: [(Double, Double)]
    }

    var title: String
    var xLabel: String
    var yLabel: String
    var series: [Series]

    static let colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#7f7f7f", "#9467bd"]
    static let dashes = ["", "6,3", "2,3", "8,3,2,3", "4,4", "1,2"]

    func render() -> String {
        let width = 640.0, height = 400.0, left = 64.0, right = 190.0, top = 36.0, bottom = 52.0
        let all = series.flatMap(\.points)
        let xs = all.map { log2(max($0.0, 1e-9)) }, ys = all.map(\.1)
        let x0 = xs.min() ?? 0, x1 = max(xs.max() ?? 1, x0 + 1)
        var y0 = ((ys.min() ?? 0) * 20).rounded(.down) / 20, y1 = ((ys.max() ?? 1) * 20).rounded(.up) / 20
        if y1 <= y0 { y0 -= 0.05; y1 += 0.05 }
        let pw = width - left - right, ph = height - top - bottom
        func px(_ x: Double) -> Double { left + (log2(x) - x0) / (x1 - x0) * pw }
        func py(_ y: Double) -> Double { top + (1 - (y - y0) / (y1 - y0)) * ph }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(f(left + pw / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">\(escape(title))</text>\n"
        // Grid and ticks: every power of two on x, every 5 points on y.
        var tick = y0
        while tick <= y1 + 1e-9 {
            s += "<line x1=\"\(f(left))\" x2=\"\(f(left + pw))\" y1=\"\(f(py(tick)))\" y2=\"\(f(py(tick)))\" stroke=\"#ddd\"/>"
            s += "<text x=\"\(f(left - 6))\" y=\"\(f(py(tick) + 4))\" text-anchor=\"end\">\(String(format: "%.2f", tick))</text>\n"
            tick += 0.05
        }
        var e = x0.rounded(.up)
        while e <= x1 + 1e-9 {
            let x = left + (e - x0) / (x1 - x0) * pw
            s += "<line x1=\"\(f(x))\" x2=\"\(f(x))\" y1=\"\(f(top))\" y2=\"\(f(top + ph))\" stroke=\"#eee\"/>"
            s += "<text x=\"\(f(x))\" y=\"\(f(top + ph + 16))\" text-anchor=\"middle\">\(Int(pow(2, e)))</text>\n"
            e += 1
        }
        s += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(pw))\" height=\"\(f(ph))\" fill=\"none\" stroke=\"#333\"/>\n"
        s += "<text x=\"\(f(left + pw / 2))\" y=\"\(f(height - 12))\" text-anchor=\"middle\">\(escape(xLabel))</text>\n"
        s += "<text transform=\"translate(16 \(f(top + ph / 2))) rotate(-90)\" text-anchor=\"middle\">\(escape(yLabel))</text>\n"
        for (i, line) in series.enumerated() {
            let color = Self.colors[i % Self.colors.count], dash = Self.dashes[i % Self.dashes.count]
            let path = line.points.map { "\(f(px($0.0))),\(f(py($0.1)))" }.joined(separator: " ")
            s += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"\(dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\"") points=\"\(path)\"/>\n"
            for p in line.points { s += "<circle cx=\"\(f(px(p.0)))\" cy=\"\(f(py(p.1)))\" r=\"2.5\" fill=\"\(color)\"/>" }
            let ly = top + 10 + Double(i) * 20
            s += "\n<line x1=\"\(f(left + pw + 12))\" x2=\"\(f(left + pw + 36))\" y1=\"\(f(ly))\" y2=\"\(f(ly))\" stroke=\"\(color)\" stroke-width=\"2\"\(dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\"")/>"
            s += "<text x=\"\(f(left + pw + 42))\" y=\"\(f(ly + 4))\">\(escape(line.name))</text>\n"
        }
        return s + "</svg>\n"
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
