import Foundation
import RewardModel

extension Evaluator {
    /// Seen users' test pairs under the states the head learned for them.
    static func seen(_ head: RewardHead, _ data: PreferenceDataset, test: [[Int]], bt: RewardHead?) throws -> EvaluationReport.Seen? {
        var correct = 0.0, oracle = 0.0, btCorrect = 0.0, pairs = 0, users = 0, oracleKnown = true
        for u in data.users.indices where data.users[u].seen && !test[u].isEmpty {
            let state: UserState?
            if head.kind.isPersonalized {
                guard let theta = head.seenUsers[data.users[u].id] else { continue }
                state = UserState(theta: theta)
            } else {
                state = nil
            }
            let tests = test[u].map { data.pairs[$0] }
            let c = comparisons(data, tests)
            correct += try accuracy(head, try head.prepare(c), state: state) * Double(tests.count)
            if let bt { btCorrect += try accuracy(bt, try bt.prepare(c), state: nil) * Double(tests.count) }
            for p in tests {
                if let m = p.margin { oracle += m > 0 ? 1 : (m == 0 ? 0.5 : 0) } else { oracleKnown = false }
            }
            pairs += tests.count
            users += 1
        }
        guard pairs > 0 else { return nil }
        let count = Double(pairs)
        return .init(accuracy: correct / count, oracle: oracleKnown ? oracle / count : nil, bt: bt == nil ? nil : btCorrect / count,
                     users: users, pairs: pairs)
    }

    /// With flipped training labels: adapt at the largest n with the matching ε, without it, and on the clean labels.
    static func noise(_ head: RewardHead, _ data: PreferenceDataset, users: [Int], train: [[Int]], test: [[Int]],
                      options: EvaluationOptions) throws -> EvaluationReport.Noise? {
        let epsilon = data.declaredNoise
        guard epsilon > 0, head.kind.isPersonalized, let n = options.shots.max() else { return nil }
        var sums = [Double](repeating: 0, count: 6), count = 0
        for u in users where train[u].count >= n {
            let trains = Array(train[u].prefix(n)).map { data.pairs[$0] }
            let testPrepared = try head.prepare(comparisons(data, test[u].map { data.pairs[$0] }))
            let noisy = try head.prepare(comparisons(data, trains))
            let clean = try head.prepare(comparisons(data, trains, unflip: true))
            var corrected = options.adapt
            corrected.labelNoise = epsilon
            let states = [try head.adapt(noisy, options: corrected).state, try head.adapt(noisy, options: options.adapt).state,
                          try head.adapt(clean, options: options.adapt).state]
            for (i, s) in states.enumerated() {
                sums[2 * i] += try accuracy(head, testPrepared, state: s)
                sums[2 * i + 1] += try logLoss(head, testPrepared, state: s)
            }
            count += 1
        }
        guard count > 0 else { return nil }
        let c = Double(count)
        func fit(_ i: Int) -> EvaluationReport.Fit { .init(accuracy: sums[2 * i] / c, logLoss: sums[2 * i + 1] / c) }
        return .init(epsilon: epsilon, n: n, corrected: fit(0), uncorrected: fit(1), clean: fit(2))
    }
}
