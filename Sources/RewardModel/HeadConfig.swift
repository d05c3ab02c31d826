import Foundation

/// `config.json` of a head directory (docs/HEADS.md documents every field).
public struct HeadConfig: Codable, Sendable, Equatable {
    public enum Activation: String, Codable, Sendable {
        case relu, gelu
    }

    public struct Backbone: Codable, Sendable, Equatable {
        public var name: String
        public var featureDim: Int
        public init(name: String, featureDim: Int) {
            self.name = name
            self.featureDim = featureDim
        }
    }

    public static let currentFormatVersion = 1

    public var formatVersion: Int
    public var kind: HeadKind
    /// d: length of an item's feature vector.
    public var featureDim: Int
    /// Length of a prompt's feature vector; nil when the head takes no prompt.
    public var promptDim: Int?
    /// K: length of the user state θ (0 for bt).
    public var stateDim: Int
    /// Width of the mlp2 projectors (bt, pal-a, pal-b).
    public var hiddenDim: Int?
    /// m: output width of the item projector f (bt: 1).
    public var outputDim: Int?
    public var activation: Activation?
    /// mlp2 adds its input to its output (needs input width = output width).
    public var residual: Bool?
    /// gpm temperature τ (default 0.1).
    public var tau: Double?
    /// gpm: L2-normalise the value vectors v(x).
    public var normalizeValues: Bool?
    /// pal-a: a_u = f(wᵀP) when true (P is K×d), a_u = wᵀP when false (P is K×m).
    public var idealPointThroughProjector: Bool?
    public var backbone: Backbone?
    /// λ of few-shot adapt's prior (λ/2)‖θ − θ̄‖² chosen for this head (e.g. by `reward tune-prior`
    /// on held-out topics of its training users); nil means 1. The service's adapt uses it when a
    /// request names no prior.
    public var adaptPrior: Double?
    /// Free-form version of the head's weights; states fitted for another version are refitted.
    public var version: String?

    public init(kind: HeadKind, featureDim: Int, promptDim: Int? = nil, stateDim: Int, hiddenDim: Int? = nil,
                outputDim: Int? = nil, activation: Activation? = nil, residual: Bool? = nil, tau: Double? = nil,
                normalizeValues: Bool? = nil, idealPointThroughProjector: Bool? = nil, backbone: Backbone? = nil,
                version: String? = nil) {
        self.formatVersion = Self.currentFormatVersion
        self.kind = kind
        self.featureDim = featureDim
        self.promptDim = promptDim
        self.stateDim = stateDim
        self.hiddenDim = hiddenDim
        self.outputDim = outputDim
        self.activation = activation
        self.residual = residual
        self.tau = tau
        self.normalizeValues = normalizeValues
        self.idealPointThroughProjector = idealPointThroughProjector
        self.backbone = backbone
        self.version = version
    }

    public static func decode(_ data: Data) throws -> HeadConfig {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let config: HeadConfig
        do {
            config = try decoder.decode(HeadConfig.self, from: data)
        } catch {
            throw RewardModelError(.invalidHead, "config.json is not a valid head config: \(error)")
        }
        try config.validate()
        return config
    }

    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return (try? encoder.encode(self)) ?? Data()
    }

    var mlpWidth: Int { hiddenDim ?? 0 }
    var projectorOutput: Int { outputDim ?? 0 }
    var temperature: Double { tau ?? 0.1 }
    /// The λ adapt uses when the caller names none.
    public var defaultAdaptPrior: Double { adaptPrior ?? 1 }

    /// Checks what the tensors cannot: sizes are positive and the kind's fields are present.
    public func validate() throws {
        func fail(_ message: String) -> RewardModelError { RewardModelError(.invalidHead, message) }
        guard formatVersion == Self.currentFormatVersion else { throw fail("format_version \(formatVersion) is not supported") }
        guard featureDim > 0 else { throw fail("feature_dim must be positive") }
        if let promptDim, promptDim <= 0 { throw fail("prompt_dim must be positive when present") }
        if let adaptPrior, !(adaptPrior > 0 && adaptPrior <= 1e9) { throw fail("adapt_prior must be in (0, 1e9]") }
        guard (0...1024).contains(stateDim) else { throw fail("state_dim must be in 0...1024") }
        switch kind {
        case .bt:
            guard stateDim == 0 else { throw fail("bt heads have state_dim 0") }
        default:
            guard stateDim > 0 else { throw fail("\(kind.rawValue) heads need state_dim > 0") }
        }
        switch kind {
        case .bt, .palA, .palB:
            guard let hiddenDim, hiddenDim > 0 else { throw fail("\(kind.rawValue) needs hidden_dim > 0") }
            guard activation != nil else { throw fail("\(kind.rawValue) needs activation (relu or gelu)") }
            let out = kind == .bt ? 1 : (outputDim ?? 0)
            guard out > 0 else { throw fail("\(kind.rawValue) needs output_dim > 0") }
            if kind == .bt, let outputDim, outputDim != 1 { throw fail("bt has output_dim 1") }
            if residual == true, out != featureDim { throw fail("residual projector needs output_dim = feature_dim") }
            if kind == .palA, promptDim != nil { throw fail("pal-a takes no prompt") }
        case .gpm:
            if let tau, !(tau > 0 && tau.isFinite) { throw fail("tau must be positive") }
        case .micro:
            break
        }
    }
}
