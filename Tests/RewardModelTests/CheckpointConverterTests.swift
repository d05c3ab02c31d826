import Testing
import Tensors
@testable import RewardModel

struct CheckpointConverterTests {
    static func tensor(_ rows: Int, _ cols: Int, _ seed: Float) -> Tensor {
        Tensor(shape: [rows, cols], values: (0..<rows * cols).map { Float($0 % 7) * 0.1 - seed })
    }

    @Test func gpmCheckpointWithBackboneAndPrefix() throws {
        var file = SafeTensors()
        file.tensors["model.embed_tokens.weight"] = Self.tensor(10, 6, 0)      // the backbone: dropped
        file.tensors["model.value_head.weight"] = Self.tensor(4, 6, 0.2)
        file.tensors["model.prompt_head.weight"] = Self.tensor(2, 6, 0.1)
        let head = try CheckpointConverter.gpm(file, tau: 0.2, normalizeValues: true, backbone: "bb")
        #expect(head.kind == .gpm && head.featureDim == 6 && head.promptDim == 6 && head.stateDim == 2)
        #expect(head.config.tau == 0.2 && head.config.normalizeValues == true && head.config.backbone?.name == "bb")
        #expect(Set(head.tensors().tensors.keys) == ["value_head.weight", "prompt_head.weight", "population_state"])
        let p = try head.compare(prompt: [1, 0, 0, 0, 0, 1], a: [1, 2, 3, 4, 5, 6], b: [6, 5, 4, 3, 2, 1])
        let q = try head.compare(prompt: [1, 0, 0, 0, 0, 1], a: [6, 5, 4, 3, 2, 1], b: [1, 2, 3, 4, 5, 6])
        #expect(abs(p.probability + q.probability - 1) < 1e-12)
    }

    @Test func microCheckpoint() throws {
        var file = SafeTensors()
        file.tensors["score.weight"] = Self.tensor(3, 5, 0.3)
        file.tensors["router.weight"] = Self.tensor(3, 4, 0.1)
        file.tensors["router.bias"] = Tensor(vector: [0.1, 0.2, 0.3])
        let head = try CheckpointConverter.micro(file)
        #expect(head.kind == .micro && head.featureDim == 5 && head.promptDim == 4 && head.stateDim == 3)
        #expect(head.tensors().tensors["router.bias"]?.values == [0.1, 0.2, 0.3])
        _ = try head.score(items: Matrix(rows: 2, cols: 5, repeating: 1))   // bias-only routing without a prompt
    }

    @Test func inconsistentCheckpointsAreRefused() {
        var file = SafeTensors()
        file.tensors["value_head.weight"] = Self.tensor(3, 6, 0)                // odd rows
        #expect(throws: RewardModelError.self) { try CheckpointConverter.gpm(file) }
        file.tensors["value_head.weight"] = Self.tensor(4, 6, 0)
        file.tensors["prompt_head.weight"] = Self.tensor(3, 6, 0)               // K mismatch
        #expect(throws: RewardModelError.self) { try CheckpointConverter.gpm(file) }
        #expect(throws: RewardModelError.self) { try CheckpointConverter.micro(SafeTensors()) }
        var micro = SafeTensors()
        micro.tensors["score.weight"] = Self.tensor(2, 3, 0)
        micro.tensors["router.weight"] = Self.tensor(3, 3, 0)
        #expect(throws: RewardModelError.self) { try CheckpointConverter.micro(micro) }
    }
}
