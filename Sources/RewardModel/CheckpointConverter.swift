import Tensors

/// GPM and MiCRo checkpoints → heads. The tensors keep their names (DESIGN §4), so conversion is
/// finding them under whatever prefix the checkpoint uses, reading the dimensions off their shapes
/// and writing a config. Backbone tensors and everything else are dropped.
public enum CheckpointConverter {
    /// GPM: `value_head.weight` [2K, d] (+ bias), optional `prompt_head.weight` [K, p] (+ bias).
    public static func gpm(_ file: SafeTensors, tau: Double = 0.1, normalizeValues: Bool = false,
                           backbone: String? = nil, version: String = "1") throws -> RewardHead {
        guard let value = find(file, "value_head.weight"), value.shape.count == 2, value.shape[0] % 2 == 0, value.shape[0] > 0 else {
            throw RewardModelError(.invalidHead, "no 2-D value_head.weight with an even, positive number of rows")
        }
        let k = value.shape[0] / 2, d = value.shape[1]
        var out = SafeTensors()
        out.tensors["value_head.weight"] = value
        out.tensors["value_head.bias"] = find(file, "value_head.bias")
        var promptDim: Int? = nil
        if let prompt = find(file, "prompt_head.weight") {
            guard prompt.shape.count == 2, prompt.shape[0] == k else {
                throw RewardModelError(.invalidHead, "prompt_head.weight must be [\(k), prompt_dim], found \(prompt.shape)")
            }
            promptDim = prompt.shape[1]
            out.tensors["prompt_head.weight"] = prompt
            out.tensors["prompt_head.bias"] = find(file, "prompt_head.bias")
        }
        let config = HeadConfig(kind: .gpm, featureDim: d, promptDim: promptDim, stateDim: k, tau: tau,
                                normalizeValues: normalizeValues, backbone: backbone.map { .init(name: $0, featureDim: d) }, version: version)
        return try RewardHead(config: config, tensors: out)
    }

    /// MiCRo: `score.weight` [K, d], optional `router.weight` [K, p] and `router.bias` [K].
    public static func micro(_ file: SafeTensors, backbone: String? = nil, version: String = "1") throws -> RewardHead {
        guard let score = find(file, "score.weight"), score.shape.count == 2, score.shape[0] > 0 else {
            throw RewardModelError(.invalidHead, "no 2-D score.weight")
        }
        let k = score.shape[0], d = score.shape[1]
        var out = SafeTensors()
        out.tensors["score.weight"] = score
        var promptDim: Int? = nil
        if let router = find(file, "router.weight") {
            guard router.shape.count == 2, router.shape[0] == k else {
                throw RewardModelError(.invalidHead, "router.weight must be [\(k), prompt_dim], found \(router.shape)")
            }
            promptDim = router.shape[1]
            out.tensors["router.weight"] = router
            out.tensors["router.bias"] = find(file, "router.bias")
        }
        let config = HeadConfig(kind: .micro, featureDim: d, promptDim: promptDim, stateDim: k,
                                backbone: backbone.map { .init(name: $0, featureDim: d) }, version: version)
        return try RewardHead(config: config, tensors: out)
    }

    /// The tensor named `suffix` or `<prefix>.suffix` (the shortest such name when several match).
    static func find(_ file: SafeTensors, _ suffix: String) -> Tensor? {
        file.tensors.keys.filter { $0 == suffix || $0.hasSuffix("." + suffix) }
            .min { ($0.count, $0) < ($1.count, $1) }.flatMap { file.tensors[$0] }
    }
}
