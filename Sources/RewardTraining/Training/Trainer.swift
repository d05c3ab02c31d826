import Foundation
import RewardModel
import Tensors

/// Fits a head's shared parameters and its seen users' states to a dataset with minibatch AdamW,
/// a validation split and early stopping. Deterministic for a seed (with one BLAS thread).
public enum Trainer {
    public static func train(_ data: PreferenceDataset, options o: TrainingOptions,
                             progress: (TrainingEvent) -> Void = { _ in }) throws -> (head: RewardHead, report: TrainingReport) {
        try o.validate()
        // Seen users' training pairs; each user gets a row of the θ table.
        var userRow: [Int: Int] = [:], userIDs: [String] = []
        var pairs: [PreferenceDataset.Pair] = []
        for p in data.pairs where p.split == .train && data.users[p.user].seen {
            if userRow[p.user] == nil {
                userRow[p.user] = userIDs.count
                userIDs.append(data.users[p.user].id)
            }
            pairs.append(p)
        }
        guard pairs.count >= 2 else { throw TrainingError(.invalidDataset, "the dataset has fewer than 2 training pairs of seen users") }
        if data.promptDim != nil { progress(.note("the dataset has prompts; this trainer fits prompt-free heads and ignores them")) }
        var rng = SeededGenerator(seed: o.seed)
        var order = Array(pairs.indices)
        order.shuffle(using: &rng)
        let validationCount = o.validationFraction > 0 ? max(1, Int((Double(pairs.count) * o.validationFraction).rounded())) : 0
        let validation = Array(order.prefix(validationCount)), training = Array(order.dropFirst(validationCount))
        var perUser = [Int](repeating: 0, count: userIDs.count)
        for i in training { perUser[userRow[pairs[i].user]!] += 1 }

        var model = makeModel(o, featureDim: data.featureDim, users: userIDs.count, seed: rng.next())
        var optimizer = AdamW(learningRate: o.learningRate, weightDecay: o.weightDecay)
        let items = data.items
        func batch(_ indices: ArraySlice<Int>) -> TrainingBatch {
            let chosen = indices.map { pairs[$0].chosen }, rejected = indices.map { pairs[$0].rejected }
            return TrainingBatch(items: items.gathering(rows: chosen + rejected), users: indices.map { userRow[pairs[$0].user]! })
        }
        var history: [EpochRecord] = [], best = (loss: Double.infinity, epoch: 0, values: model.parameters.values)
        var stale = 0, stoppedEarly = false
        let steps = (training.count + o.batchSize - 1) / o.batchSize
        for epoch in 1...o.epochs {
            var shuffled = training
            shuffled.shuffle(using: &rng)
            var total = 0.0
            for (step, start) in stride(from: 0, to: shuffled.count, by: o.batchSize).enumerated() {
                let b = batch(shuffled[start..<min(start + o.batchSize, shuffled.count)])
                let result = model.evaluate(b, wantGradient: true)
                var gradient = result.gradient.map { $0 / Float(b.count) }
                if let entry = model.stateEntry { addPrior(&model, entry: entry, batch: b, perUser: perUser, lambda: o.prior, gradient: &gradient) }
                optimizer.update(&model.parameters, gradient: gradient)
                total += result.loss
                progress(.step(epoch: epoch, epochs: o.epochs, step: step + 1, steps: steps, loss: result.loss / Double(b.count)))
            }
            var record = EpochRecord(epoch: epoch, trainLoss: total / Double(max(training.count, 1)))
            var score = record.trainLoss
            if !validation.isEmpty {
                var loss = 0.0, correct = 0.0
                for start in stride(from: 0, to: validation.count, by: 1024) {
                    let r = model.evaluate(batch(validation[start..<min(start + 1024, validation.count)]), wantGradient: false)
                    loss += r.loss
                    correct += r.correct
                }
                record.validationLoss = loss / Double(validation.count)
                record.validationAccuracy = correct / Double(validation.count)
                score = record.validationLoss!
            }
            history.append(record)
            let improved = score < best.loss - 1e-6 || validation.isEmpty
            progress(.epoch(record, epochs: o.epochs, improved: improved))
            if improved {
                best = (score, epoch, model.parameters.values)
                stale = 0
            } else {
                stale += 1
                if stale >= o.patience {
                    stoppedEarly = epoch < o.epochs
                    break
                }
            }
        }
        model.parameters.values = best.values
        let head = try makeHead(model, options: o, userIDs: userIDs)
        return (head, TrainingReport(history: history, bestEpoch: best.epoch, trainPairs: training.count,
                                     validationPairs: validation.count, users: userIDs.count, stoppedEarly: stoppedEarly))
    }

    static func makeModel(_ o: TrainingOptions, featureDim d: Int, users: Int, seed: UInt64) -> any TrainableModel {
        switch o.kind {
        case .bt: BTTrainable(featureDim: d, hidden: o.hidden, activation: o.activation, seed: seed)
        case .gpm: GPMTrainable(featureDim: d, stateDim: o.prototypes, tau: o.tau, users: users, seed: seed)
        case .micro: MicroTrainable(featureDim: d, stateDim: o.prototypes, users: users, seed: seed)
        case .palA:
            PALATrainable(featureDim: d, stateDim: o.prototypes, hidden: o.hidden, outputDim: o.outputDim ?? d,
                          activation: o.activation, throughProjector: o.idealPointThroughProjector, users: users, seed: seed)
        case .palB:
            PALBTrainable(featureDim: d, stateDim: o.prototypes, hidden: o.hidden, outputDim: o.outputDim ?? d,
                          activation: o.activation, users: users, seed: seed)
        }
    }

    /// Adds ∂/∂θ_u of Σ_u (λ/2)‖θ_u − θ̄‖² / N, spread over the user's pairs (θ̄ = current mean, held fixed).
    static func addPrior(_ model: inout any TrainableModel, entry: Int, batch: TrainingBatch, perUser: [Int], lambda: Double, gradient: inout [Float]) {
        guard lambda > 0 else { return }
        let thetas = model.parameters.matrix(entry), k = thetas.cols
        var mean = [Double](repeating: 0, count: k)
        for u in 0..<thetas.rows { for c in 0..<k { mean[c] += Double(thetas[u, c]) / Double(thetas.rows) } }
        let offset = model.parameters.entries[entry].offset
        for user in batch.users where perUser[user] > 0 {
            for c in 0..<k {
                gradient[offset + user * k + c] += Float(lambda * (Double(thetas[user, c]) - mean[c]) / Double(perUser[user]) / Double(batch.count))
            }
        }
    }

    static func makeHead(_ model: any TrainableModel, options o: TrainingOptions, userIDs: [String]) throws -> RewardHead {
        var (config, tensors) = model.export()
        config.version = o.version ?? "\(o.name)-\(config.kind.rawValue)-seed\(o.seed)"
        if let backbone = o.backbone { config.backbone = .init(name: backbone, featureDim: config.featureDim) }
        if let entry = model.stateEntry {
            let thetas = model.parameters.matrix(entry)
            let k = thetas.cols
            var mean = [Float](repeating: 0, count: k)
            for (u, id) in userIDs.enumerated() {
                let row = Array(thetas.row(u))
                tensors["user_learner.W.\(id)"] = Tensor(vector: row)
                for c in 0..<k { mean[c] += row[c] / Float(userIDs.count) }
            }
            tensors["population_state"] = Tensor(vector: mean)
        }
        return try RewardHead(config: config, tensors: SafeTensors(tensors: tensors))
    }
}
