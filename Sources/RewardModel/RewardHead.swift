import Foundation
import Tensors

/// A loaded head: immutable, so one instance is shared by every request (and thread) that uses it.
/// All operations are synchronous and validate their input (see `RewardHead+Scoring`, `+Adapt`).
public final class RewardHead: Sendable {
    public let config: HeadConfig
    /// θ̄: the cold-start state (mean of the seen users' θ, or 0); stored as `population_state`.
    public let populationState: [Double]
    /// Named users the head was trained with (`user_learner.W.<uid>`), θ per user.
    public let seenUsers: [String: [Double]]
    let math: any HeadMath

    public var kind: HeadKind { config.kind }
    public var featureDim: Int { config.featureDim }
    public var promptDim: Int? { config.promptDim }
    /// pal-b with prompt projectors builds its user basis from the prompt: it cannot score without one.
    /// gpm and micro heads read a prompt when given and fall back to the user state alone.
    public var requiresPrompt: Bool { kind == .palB && promptDim != nil }
    public var stateDim: Int { config.stateDim }
    public var parameterCount: Int { math.parameterCount + populationState.count + seenUsers.count * stateDim }

    static let populationStateName = "population_state"
    static let seenUserPrefix = "user_learner.W."

    /// Builds a head from a config and its tensors; shapes are checked against the config.
    public init(config: HeadConfig, tensors file: SafeTensors) throws {
        try config.validate()
        for spec in Self.specs(config) {
            guard let t = file.tensors[spec.name] else {
                if spec.optional { continue }
                throw RewardModelError(.invalidHead, "tensor '\(spec.name)' is missing for a \(config.kind.rawValue) head")
            }
            guard t.shape.reduce(1, *) == spec.shape.reduce(1, *), t.shape.count == spec.shape.count || spec.shape == [1] else {
                throw RewardModelError(.invalidHead, "tensor '\(spec.name)' has shape \(t.shape), the config needs \(spec.shape)")
            }
            guard t.values.allSatisfy({ $0.isFinite }) else {
                throw RewardModelError(.invalidHead, "tensor '\(spec.name)' holds non-finite values")
            }
        }
        self.config = config
        do {
            math = try Self.makeMath(config, file)
        } catch let error as TensorsError {
            throw RewardModelError(.invalidHead, error.description)
        }
        let k = config.stateDim
        var users: [String: [Double]] = [:]
        for (name, t) in file.tensors where name.hasPrefix(Self.seenUserPrefix) {
            guard t.values.count == k, t.values.allSatisfy({ $0.isFinite }) else {
                throw RewardModelError(.invalidHead, "seen user '\(name)' needs \(k) finite numbers")
            }
            users[String(name.dropFirst(Self.seenUserPrefix.count))] = t.values.map(Double.init)
        }
        seenUsers = users
        if let t = file.tensors[Self.populationStateName] {
            guard t.values.count == k, t.values.allSatisfy({ $0.isFinite }) else {
                throw RewardModelError(.invalidHead, "population_state needs \(k) finite numbers")
            }
            populationState = t.values.map(Double.init)
        } else if !users.isEmpty {
            populationState = (0..<k).map { i in users.values.reduce(0) { $0 + $1[i] } / Double(users.count) }
        } else {
            populationState = [Double](repeating: 0, count: k)
        }
    }

    static func specs(_ c: HeadConfig) -> [TensorSpec] {
        switch c.kind {
        case .bt: BTMath.specs(c)
        case .palA: PALAMath.specs(c)
        case .palB: PALBMath.specs(c)
        case .gpm: GPMMath.specs(c)
        case .micro: MicroMath.specs(c)
        }
    }

    static func makeMath(_ c: HeadConfig, _ file: SafeTensors) throws -> any HeadMath {
        switch c.kind {
        case .bt: try BTMath(config: c, file: file)
        case .palA: try PALAMath(config: c, file: file)
        case .palB: try PALBMath(config: c, file: file)
        case .gpm: try GPMMath(config: c, file: file)
        case .micro: try MicroMath(config: c, file: file)
        }
    }

    /// Loads `directory/config.json` + `directory/model.safetensors`.
    public static func load(directory: String) throws -> RewardHead {
        let configURL = URL(fileURLWithPath: directory).appendingPathComponent("config.json")
        guard let data = try? Data(contentsOf: configURL) else {
            throw RewardModelError(.invalidHead, "cannot read \(configURL.path)")
        }
        let config = try HeadConfig.decode(data)
        let file: SafeTensors
        do {
            file = try SafeTensors.load(path: URL(fileURLWithPath: directory).appendingPathComponent("model.safetensors").path)
        } catch let error as TensorsError {
            throw RewardModelError(.invalidHead, error.description)
        }
        return try RewardHead(config: config, tensors: file)
    }

    /// The head's tensors, named as in DESIGN §4.
    public func tensors() -> SafeTensors {
        var file = SafeTensors(metadata: ["format": "pt", "kind": kind.rawValue])
        math.store(into: &file)
        if kind.isPersonalized {
            file.tensors[Self.populationStateName] = Tensor(vector: populationState.map { Float($0) })
        }
        for (user, theta) in seenUsers { file.tensors[Self.seenUserPrefix + user] = Tensor(vector: theta.map { Float($0) }) }
        return file
    }

    /// Writes `config.json` and `model.safetensors` into `directory` (created if needed).
    public func save(directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try config.encoded().write(to: URL(fileURLWithPath: directory).appendingPathComponent("config.json"))
            try tensors().write(path: URL(fileURLWithPath: directory).appendingPathComponent("model.safetensors").path)
        } catch {
            throw RewardModelError(.invalidHead, "cannot write head to \(directory): \(error)")
        }
    }
}
