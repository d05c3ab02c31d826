import ArgumentParser
import Foundation
import RewardModel
import RewardTraining

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit a head's shared parameters and seen users' states to a dataset; write a head directory.")

    @Option(help: "Dataset (NDJSON, docs/DATASETS.md).") var data: String
    @Option(help: "bt, pal-a, pal-b, gpm or micro.") var kind: String = "pal-b"
    @Option(help: "K: prototypes (pal-b), blocks (gpm), components (micro).") var prototypes: Int = 3
    @Option(help: "Hidden width of the MLP projectors.") var hidden: Int = 64
    @Option(help: "pal-b output width (default: feature dim, residual projector).") var outputDim: Int?
    @Option(help: "relu or gelu.") var activation: String = "gelu"
    @Option(help: "Maximum epochs.") var epochs: Int = 40
    @Option(help: "Minibatch size.") var batchSize: Int = 128
    @Option(help: "AdamW learning rate.") var lr: Double = 5e-3
    @Option(help: "AdamW decoupled weight decay of the weight matrices (strong by default: it pulls a residual projector towards the identity).") var weightDecay: Double = 2
    @Option(help: "Fraction of training pairs held out for early stopping.") var validation: Double = 0.1
    @Option(help: "Epochs without improvement before stopping.") var patience: Int = 5
    @Option(help: "λ of the users' prior, as in adapt.") var prior: Double = 1
    @Option(help: "gpm temperature τ.") var tau: Double = 0.1
    @Flag(help: "pal-a: ideal point a_u = wᵀP instead of f(wᵀP).") var linearIdealPoint = false
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Head version recorded in config.json.") var version: String?
    @Option(help: "Backbone name recorded in config.json.") var backbone: String?
    @Option(help: "Output head directory.") var out: String

    func run() throws {
        var o = TrainingOptions()
        guard let k = HeadKind(rawValue: kind) else { throw ValidationError("--kind must be bt, pal-a, pal-b, gpm or micro") }
        guard let a = HeadConfig.Activation(rawValue: activation) else { throw ValidationError("--activation must be relu or gelu") }
        o.kind = k; o.prototypes = prototypes; o.hidden = hidden; o.outputDim = outputDim; o.activation = a
        o.epochs = epochs; o.batchSize = batchSize; o.learningRate = lr; o.weightDecay = weightDecay
        o.validationFraction = validation; o.patience = patience; o.prior = prior; o.tau = tau; o.seed = seed
        o.idealPointThroughProjector = !linearIdealPoint
        o.version = version; o.backbone = backbone
        o.name = URL(fileURLWithPath: out).lastPathComponent
        do {
            let dataset = try PreferenceDataset.load(path: data)
            let printer = ProgressPrinter()
            let (head, report) = try Trainer.train(dataset, options: o, progress: printer.handle)
            try head.save(directory: out)
            let best = report.history.first { $0.epoch == report.bestEpoch }
            var line = "wrote \(out): \(k.rawValue), \(head.parameterCount) parameters, \(report.users) users, best epoch \(report.bestEpoch)"
            if let v = best?.validationLoss, let acc = best?.validationAccuracy {
                line += String(format: ", val_loss %.4f, val_acc %.4f", v, acc)
            }
            FileHandle.standardError.write(Data((line + "\n").utf8))
        } catch let error as TrainingError {
            throw ValidationError(error.description)
        } catch let error as RewardModelError {
            throw ValidationError(error.description)
        }
    }
}
