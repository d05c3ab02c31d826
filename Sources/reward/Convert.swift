import ArgumentParser
import Foundation
import RewardModel
import Tensors

/// Turns a GPM or MiCRo checkpoint (safetensors) into a head directory. The tensors keep their
/// names (DESIGN §4), so conversion is finding them (whatever prefix the checkpoint uses), reading
/// the dimensions off their shapes and writing config.json. PAL checkpoints (Lightning, torch
/// pickles) are converted by Tools/convert_pal_ckpt.py.
struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert a GPM (value_head/prompt_head) or MiCRo (score/router) safetensors checkpoint into a head directory.")

    enum Kind: String, ExpressibleByArgument { case gpm, micro }

    @Option(help: "Source project: gpm or micro.")
    var kind: Kind

    @Option(help: "Input .safetensors checkpoint (may hold the whole backbone; only the head tensors are kept).")
    var input: String

    @Option(help: "Output head directory.")
    var output: String

    @Option(help: "gpm: temperature τ.")
    var tau: Double = 0.1

    @Flag(help: "gpm: L2-normalise value vectors (GPM's default for its value head).")
    var normalizeValues = false

    @Option(help: "Backbone name recorded in config.json.")
    var backbone: String?

    @Option(help: "Head version recorded in config.json.")
    var version: String = "1"

    func run() throws {
        let source = try SafeTensors.load(path: input)
        let head: RewardHead
        do {
            switch kind {
            case .gpm: head = try CheckpointConverter.gpm(source, tau: tau, normalizeValues: normalizeValues, backbone: backbone, version: version)
            case .micro: head = try CheckpointConverter.micro(source, backbone: backbone, version: version)
            }
        } catch let error as RewardModelError {
            throw ValidationError("\(input): \(error.message)")
        }
        try head.save(directory: output)
        let c = head.config
        print("wrote \(output): \(c.kind.rawValue), feature_dim \(c.featureDim), prompt_dim \(c.promptDim.map(String.init) ?? "none"), "
            + "state_dim \(c.stateDim), \(head.parameterCount) parameters")
    }
}
