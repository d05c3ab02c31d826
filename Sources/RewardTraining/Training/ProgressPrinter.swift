import Foundation

/// Draws training progress on stderr: a redrawn bar with loss and ETA on a terminal, one plain
/// line per epoch otherwise (logs, CI).
public final class ProgressPrinter {
    private let isTerminal: Bool
    private let start = Date()
    private var lastDraw = Date.distantPast

    public init(isTerminal: Bool = isatty(2) == 1) {
        self.isTerminal = isTerminal
    }

    public func handle(_ event: TrainingEvent) {
        switch event {
        case let .step(epoch, epochs, step, steps, loss):
            guard isTerminal, Date().timeIntervalSince(lastDraw) > 0.1 || step == steps else { return }
            lastDraw = Date()
            let done = Double(epoch - 1) + Double(step) / Double(max(steps, 1))
            let fraction = done / Double(epochs)
            let width = 30, filled = Int(fraction * Double(width))
            let elapsed = Date().timeIntervalSince(start)
            let eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            write("\r\u{1B}[2Kepoch \(epoch)/\(epochs) \(bar) loss \(String(format: "%.4f", loss)) ETA \(Self.duration(eta)) (upper bound)")
        case let .epoch(r, epochs, improved):
            var line = "epoch \(r.epoch)/\(epochs) train_loss \(String(format: "%.4f", r.trainLoss))"
            if let v = r.validationLoss { line += " val_loss \(String(format: "%.4f", v))" }
            if let a = r.validationAccuracy { line += " val_acc \(String(format: "%.4f", a))" }
            line += improved ? " *" : ""
            line += " elapsed \(Self.duration(Date().timeIntervalSince(start)))"
            write((isTerminal ? "\r\u{1B}[2K" : "") + line + "\n")
        case let .note(text):
            write((isTerminal ? "\r\u{1B}[2K" : "") + "note: \(text)\n")
        }
    }

    private func write(_ s: String) {
        FileHandle.standardError.write(Data(s.utf8))
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 60 ? "\(s / 60)m\(String(format: "%02d", s % 60))s" : "\(s)s"
    }
}
