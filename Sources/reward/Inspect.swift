import ArgumentParser
import Foundation
import RewardModel

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a head directory's kind, dimensions, parameter count and named users.")

    @Argument(help: "Head directory (config.json + model.safetensors).")
    var headDirectory: String

    @Option(help: "List at most this many named users.")
    var maxUsers: Int = 20

    func run() throws {
        let head: RewardHead
        do {
            head = try RewardHead.load(directory: headDirectory)
        } catch let error as RewardModelError {
            throw ValidationError(error.description)
        }
        let c = head.config
        var lines = [
            "head:        \(headDirectory)",
            "kind:        \(c.kind.rawValue)",
            "feature_dim: \(c.featureDim)",
            "prompt_dim:  \(c.promptDim.map(String.init) ?? "none (takes no prompt)")",
            "state_dim:   \(c.stateDim)",
        ]
        if let h = c.hiddenDim { lines.append("hidden_dim:  \(h)") }
        if let m = c.outputDim { lines.append("output_dim:  \(m)") }
        if let a = c.activation { lines.append("activation:  \(a.rawValue)\(c.residual == true ? " (residual)" : "")") }
        if c.kind == .gpm {
            lines.append("tau:         \(c.tau ?? 0.1)")
            lines.append("normalize:   \(c.normalizeValues ?? false)")
        }
        if c.kind == .palA { lines.append("ideal point: \(c.idealPointThroughProjector ?? true ? "f(wᵀP)" : "wᵀP")") }
        if let b = c.backbone { lines.append("backbone:    \(b.name) (\(b.featureDim))") }
        if let v = c.version { lines.append("version:     \(v)") }
        lines.append("parameters:  \(head.parameterCount)")
        if c.kind.isPersonalized {
            lines.append("population:  [\(head.populationState.map { String(format: "%.4g", $0) }.joined(separator: ", "))]")
        }
        let users = head.seenUsers.keys.sorted()
        lines.append("named users: \(users.count)" + (users.isEmpty ? "" : ": " + users.prefix(maxUsers).joined(separator: ", ")
            + (users.count > maxUsers ? ", …" : "")))
        print(lines.joined(separator: "\n"))
    }
}
