import RewardModel

/// Flags of `reward train`.
public struct TrainingOptions: Sendable {
    public var kind: HeadKind = .palB
    /// K: prototypes (pal-b), blocks (gpm), mixture components (micro).
    public var prototypes = 3
    public var hidden = 64
    /// pal-b output width m (default: the feature dimension, which makes the projector residual).
    public var outputDim: Int?
    public var activation: HeadConfig.Activation = .gelu
    public var epochs = 40
    public var batchSize = 128
    public var learningRate = 5e-3
    public var weightDecay = 2.0
    /// Fraction of the seen users' training pairs held out for validation and early stopping.
    public var validationFraction = 0.1
    /// Stop after this many epochs without a better validation loss.
    public var patience = 5
    /// λ of the users' prior (λ/2)‖θ_u − θ̄‖², as in `adapt`: trained states match the few-shot prior.
    public var prior = 1.0
    public var tau = 0.1
    /// pal-a: a_u = f(wᵀP) (true, PAL's default) or a_u = wᵀP.
    public var idealPointThroughProjector = true
    public var seed: UInt64 = 1
    public var name = "trained"
    public var version: String?
    /// Backbone recorded in config.json (name, feature dim), if the features come from one.
    public var backbone: String?

    public init() {}

    func validate() throws {
        func fail(_ m: String) -> TrainingError { TrainingError(.invalidOptions, m) }
        guard prototypes > 0 || kind == .bt else { throw fail("prototypes must be positive") }
        guard hidden > 0, epochs > 0, batchSize > 0, patience > 0 else { throw fail("hidden, epochs, batch size and patience must be positive") }
        guard learningRate > 0, learningRate.isFinite, weightDecay >= 0, prior >= 0, tau > 0 else { throw fail("bad optimiser settings") }
        guard validationFraction >= 0, validationFraction < 1 else { throw fail("validation fraction must be in [0, 1)") }
        if let outputDim, outputDim <= 0 { throw fail("output dim must be positive") }
    }
}

public struct EpochRecord: Sendable, Equatable {
    public var epoch: Int
    public var trainLoss: Double
    public var validationLoss: Double?
    public var validationAccuracy: Double?
}

public struct TrainingReport: Sendable {
    public var history: [EpochRecord]
    /// The epoch whose parameters were kept (best validation loss, else the last).
    public var bestEpoch: Int
    public var trainPairs: Int
    public var validationPairs: Int
    public var users: Int
    public var stoppedEarly: Bool
}

/// What the trainer tells its caller while it runs (the CLI draws a progress bar from it).
public enum TrainingEvent: Sendable {
    case step(epoch: Int, epochs: Int, step: Int, steps: Int, loss: Double)
    case epoch(EpochRecord, epochs: Int, improved: Bool)
    case note(String)
}
