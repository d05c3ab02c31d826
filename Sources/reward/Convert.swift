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
        func find(_ suffix: String) -> (String, Tensor)? {
            source.tensors.first { $0.key == suffix || $0.key.hasSuffix("." + suffix) }.map { ($0.key, $0.value) }
        }
        var out = SafeTensors()
        let config: HeadConfig
        switch kind {
        case .gpm:
            guard let (_, value) = find("value_head.weight"), value.shape.count == 2, value.shape[0] % 2 == 0 else {
                throw ValidationError("no 2-D value_head.weight with an even number of rows in \(input)")
            }
            let k = value.shape[0] / 2, d = value.shape[1]
            out.tensors["value_head.weight"] = value
            if let (_, b) = find("value_head.bias") { out.tensors["value_head.bias"] = b }
            var promptDim: Int? = nil
            if let (_, p) = find("prompt_head.weight") {
                guard p.shape.count == 2, p.shape[0] == k else { throw ValidationError("prompt_head.weight must be [\(k), d]") }
                promptDim = p.shape[1]
                out.tensors["prompt_head.weight"] = p
                if let (_, b) = find("prompt_head.bias") { out.tensors["prompt_head.bias"] = b }
            }
            config = HeadConfig(kind: .gpm, featureDim: d, promptDim: promptDim, stateDim: k, tau: tau,
                                normalizeValues: normalizeValues, backbone: backbone.map { .init(name: $0, featureDim: d) }, version: version)
        case .micro:
            guard let (_, score) = find("score.weight"), score.shape.count == 2 else {
                throw ValidationError("no 2-D score.weight in \(input)")
            }
            let k = score.shape[0], d = score.shape[1]
            out.tensors["score.weight"] = score
            var promptDim: Int? = nil
            if let (_, r) = find("router.weight") {
                guard r.shape.count == 2, r.shape[0] == k else { throw ValidationError("router.weight must be [\(k), p]") }
                promptDim = r.shape[1]
                out.tensors["router.weight"] = r
                if let (_, b) = find("router.bias") { out.tensors["router.bias"] = b }
            }
            config = HeadConfig(kind: .micro, featureDim: d, promptDim: promptDim, stateDim: k,
                                backbone: backbone.map { .init(name: $0, featureDim: d) }, version: version)
        }
        let head = try RewardHead(config: config, tensors: out)
        try head.save(directory: output)
        print("wrote \(output): \(config.kind.rawValue), feature_dim \(config.featureDim), state_dim \(config.stateDim), \(head.parameterCount) parameters")
    }
}
