import Foundation
import RewardModel
import Tensors

public struct EvaluationOptions: Sendable {
    /// Few-shot sizes n of the unseen-user curve (sizes above a user's training pairs are skipped).
    public var shots = [1, 2, 4, 8, 16, 32, 64]
    /// The service's adapt settings (the curve measures exactly these).
    public var adapt = AdaptOptions()
    /// Seeds PAL's schedule (random init and shuffles).
    public var seed: UInt64 = 1
    public var name = "head"

    public init() {}
}

/// Measures a head on a dataset: seen users with their trained states, unseen users' few-shot curve
/// with the service's `adapt`, beside the population BT baseline, PAL's schedule, the oracle and the
/// ceiling (the same adapt with the true shared head).
public enum Evaluator {
    public static func evaluate(head: RewardHead, data: PreferenceDataset, options: EvaluationOptions = EvaluationOptions()) throws -> EvaluationReport {
        guard head.featureDim == data.featureDim else {
            throw TrainingError(.invalidDataset, "the head takes \(head.featureDim) features, the dataset has \(data.featureDim)")
        }
        let truth = try GroundTruthHead.make(data)
        let train = data.pairIndicesByUser(split: .train), test = data.pairIndicesByUser(split: .test)
        let bt = try populationBT(data, train: train)
        var report = EvaluationReport(head: options.name, kind: head.kind.rawValue, unseen: [])
        report.seen = try seen(head, data, test: test, bt: bt)
        let unseenUsers = data.users.indices.filter { !data.users[$0].seen && !test[$0].isEmpty && !train[$0].isEmpty }
        var sums: [Int: (acc: Double, ceiling: Double, pal: Double, users: Int)] = [:]
        var testPairs = 0, oracleCorrect = 0.0, btCorrect = 0.0, oracleKnown = true
        for u in unseenUsers {
            let tests = test[u].map { data.pairs[$0] }
            let trains = train[u].map { data.pairs[$0] }
            let testPrepared = try head.prepare(comparisons(data, tests))
            let trainPrepared = try head.prepare(comparisons(data, trains))
            let truthTest = try truth.map { try $0.prepare(comparisons(data, tests)) }
            let truthTrain = try truth.map { try $0.prepare(comparisons(data, trains)) }
            testPairs += tests.count
            for p in tests {
                if let m = p.margin { oracleCorrect += m > 0 ? 1 : (m == 0 ? 0.5 : 0) } else { oracleKnown = false }
            }
            if let bt { btCorrect += try accuracy(bt, try bt.prepare(comparisons(data, tests)), state: nil) * Double(tests.count) }
            for n in options.shots where n <= trains.count {
                var entry = sums[n] ?? (0, 0, 0, 0)
                let shots = Array(trainPrepared.prefix(n))
                if head.kind.isPersonalized {
                    let state = try head.adapt(shots, options: options.adapt).state
                    entry.acc += try accuracy(head, testPrepared, state: state)
                    let pal = try head.adaptWithAdamW(shots, seed: options.seed &+ UInt64(u * 131 + n))
                    entry.pal += try accuracy(head, testPrepared, state: pal)
                } else {
                    entry.acc += try accuracy(head, testPrepared, state: nil)
                }
                if let truth, let truthTrain, let truthTest {
                    let state = try truth.adapt(Array(truthTrain.prefix(n)), options: options.adapt).state
                    entry.ceiling += try accuracy(truth, truthTest, state: state)
                }
                entry.users += 1
                sums[n] = entry
            }
        }
        for n in options.shots {
            guard let s = sums[n], s.users > 0 else { continue }
            let count = Double(s.users)
            report.unseen.append(.init(n: n, accuracy: s.acc / count, oracle: oracleKnown ? oracleCorrect / Double(testPairs) : nil,
                                       ceiling: truth == nil ? nil : s.ceiling / count, bt: bt == nil ? nil : btCorrect / Double(testPairs),
                                       palSchedule: head.kind.isPersonalized ? s.pal / count : nil, users: s.users))
        }
        report.noise = try noise(head, data, users: unseenUsers, train: train, test: test, options: options)
        return report
    }

    static func comparisons(_ data: PreferenceDataset, _ pairs: [PreferenceDataset.Pair], unflip: Bool = false) -> [LabeledComparison] {
        pairs.map { p in
            let swap = unflip && p.flipped
            return LabeledComparison(prompt: nil, chosen: data.item(swap ? p.rejected : p.chosen), rejected: data.item(swap ? p.chosen : p.rejected))
        }
    }

    /// Fraction of test pairs the state orders as labelled (ties count ½).
    static func accuracy(_ head: RewardHead, _ prepared: [PreparedComparison], state: UserState?) throws -> Double {
        var correct = 0.0
        for p in prepared {
            let m = try head.preference(p, state: state).margin
            correct += m > 0 ? 1 : (m == 0 ? 0.5 : 0)
        }
        return correct / Double(max(prepared.count, 1))
    }

    static func logLoss(_ head: RewardHead, _ prepared: [PreparedComparison], state: UserState?) throws -> Double {
        var total = 0.0
        for p in prepared {
            let m = try head.preference(p, state: state).margin
            total += m > 0 ? log1p(exp(-m)) : -m + log1p(exp(m))
        }
        return total / Double(max(prepared.count, 1))
    }

    /// Linear Bradley–Terry fitted on all seen users' training pairs (nil without any).
    static func populationBT(_ data: PreferenceDataset, train: [[Int]]) throws -> RewardHead? {
        let pairs = data.users.indices.filter { data.users[$0].seen }.flatMap { train[$0] }.map { data.pairs[$0] }
        guard !pairs.isEmpty else { return nil }
        return try PopulationBaseline.fitLinearBT(comparisons(data, pairs), featureDim: data.featureDim).head
    }
}
