import Foundation
import RewardModel
import Testing
import TestSupport
@testable import RewardTraining

/// Small, fast versions of the quality targets (the full-size runs are in BENCHMARKS.md).
@Suite struct TrainingTests {
    static func idealPoint(seed: UInt64) throws -> PreferenceDataset {
        var o = SyntheticOptions()
        o.users = 30; o.unseenUsers = 12; o.dim = 8; o.prototypes = 3; o.trainPairs = 120
        o.unseenTrainPairs = 16; o.testPairs = 120; o.seed = seed
        return try SyntheticData.generate(o)
    }

    static func options(_ kind: HeadKind, seed: UInt64) -> TrainingOptions {
        var o = TrainingOptions()
        o.kind = kind
        o.hidden = 8
        o.epochs = 25
        o.batchSize = 64
        o.learningRate = 1e-2
        o.seed = seed
        return o
    }

    /// Trains with `options(kind, seed:)`; returns the head and the validation loss of the first and of the kept epoch.
    static func trainWithLosses(_ data: PreferenceDataset, _ kind: HeadKind, seed: UInt64) throws -> (RewardHead, first: Double, best: Double) {
        let (head, report) = try Trainer.train(data, options: options(kind, seed: seed))
        let first = try #require(report.history.first?.validationLoss)
        let best = try #require(report.history.first { $0.epoch == report.bestEpoch }?.validationLoss)
        return (head, first, best)
    }

    @Test func palBReducesValidationLossAndBeatsPopulationBT() async throws {
        try await offPool {  // seconds of CPU: on a thread of its own, not the 2-thread pool
            let data = try Self.idealPoint(seed: 21)
            let (head, first, best) = try Self.trainWithLosses(data, .palB, seed: 3)
            #expect(best < first - 0.05)
            #expect(head.seenUsers.count == 30 && head.kind == .palB)
            var eval = EvaluationOptions()
            eval.shots = [4, 16]
            let r = try Evaluator.evaluate(head: head, data: data, options: eval)
            let seen = try #require(r.seen)
            #expect(seen.accuracy > (seen.bt ?? 1) + 0.03, "seen \(seen.accuracy) vs BT \(seen.bt ?? .nan)")
            #expect(seen.accuracy > (seen.oracle ?? 1) - 0.06)
            let at16 = try #require(r.unseen.last)
            #expect(at16.n == 16 && at16.accuracy > (at16.bt ?? 1) && at16.accuracy > (at16.palSchedule ?? 1))
            #expect(at16.accuracy > (at16.ceiling ?? 1) - 0.04)
        }
    }

    @Test func palALearnsIdealPointsBetterThanPopulationBT() async throws {
        try await offPool {  // seconds of CPU: on a thread of its own, not the 2-thread pool
            let data = try Self.idealPoint(seed: 22)
            let (head, first, best) = try Self.trainWithLosses(data, .palA, seed: 4)
            #expect(best < first - 0.05 && head.kind == .palA)
            var eval = EvaluationOptions()
            eval.shots = [16]
            let r = try Evaluator.evaluate(head: head, data: data, options: eval)
            let seen = try #require(r.seen)
            #expect(seen.accuracy > (seen.bt ?? 1), "seen \(seen.accuracy) vs BT \(seen.bt ?? .nan)")
        }
    }

    @Test func gpmFitsCyclesThatBTCannot() async throws {
        try await offPool {  // seconds of CPU: on a thread of its own, not the 2-thread pool
            var s = SyntheticOptions()
            s.kind = .cyclic
            s.users = 12; s.unseenUsers = 0; s.dim = 6; s.prototypes = 2; s.trainPairs = 150; s.testPairs = 100; s.seed = 4
            let data = try SyntheticData.generate(s)
            var o = Self.options(.gpm, seed: 5)
            o.prototypes = 4
            o.weightDecay = 0
            o.epochs = 40
            let gpm = try Trainer.train(data, options: o).head
            let bt = try Trainer.train(data, options: Self.options(.bt, seed: 5)).head
            let g = try #require(try Evaluator.evaluate(head: gpm, data: data).seen)
            let b = try #require(try Evaluator.evaluate(head: bt, data: data).seen)
            #expect(g.accuracy > 0.95, "gpm \(g.accuracy)")
            #expect(b.accuracy < 0.8, "bt \(b.accuracy)")
        }
    }

    @Test func trainingIsDeterministicForASeed() throws {
        var s = SyntheticOptions()
        s.users = 5; s.unseenUsers = 0; s.dim = 4; s.trainPairs = 40; s.testPairs = 0; s.seed = 8
        let data = try SyntheticData.generate(s)
        var o = Self.options(.palB, seed: 9)
        o.epochs = 3
        let a = try Trainer.train(data, options: o).head.tensors().tensors
        let b = try Trainer.train(data, options: o).head.tensors().tensors
        #expect(a.keys.sorted() == b.keys.sorted())
        #expect(a.keys.allSatisfy { a[$0]!.values == b[$0]!.values })
        o.seed = 10
        let c = try Trainer.train(data, options: o).head.tensors().tensors
        #expect(c["logit_scale"]!.values != a["logit_scale"]!.values || c["user_learner.prototypes"]!.values != a["user_learner.prototypes"]!.values)
    }

    @Test func evalJSONHasTheDocumentedFields() throws {
        var s = SyntheticOptions()
        s.users = 6; s.unseenUsers = 3; s.dim = 4; s.trainPairs = 30; s.unseenTrainPairs = 4; s.testPairs = 20; s.noise = 0.2; s.seed = 2
        let data = try SyntheticData.generate(s)
        var o = Self.options(.palB, seed: 1)
        o.epochs = 2
        let head = try Trainer.train(data, options: o).head
        var e = EvaluationOptions()
        e.shots = [1, 2, 4]
        let report = try Evaluator.evaluate(head: head, data: data, options: e)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        let seen = try #require(object["seen"] as? [String: Any])
        for key in ["accuracy", "oracle", "bt"] { #expect(seen[key] is NSNumber, "seen.\(key)") }
        let unseen = try #require(object["unseen"] as? [[String: Any]])
        #expect(unseen.map { $0["n"] as? Int } == [1, 2, 4])
        for point in unseen {
            for key in ["n", "accuracy", "oracle", "ceiling", "bt", "pal_schedule"] { #expect(point[key] is NSNumber, "unseen.\(key)") }
        }
        let noise = try #require(object["noise"] as? [String: Any])
        #expect(noise["corrected"] is [String: Any] && noise["uncorrected"] is [String: Any])
        #expect(report.table().contains("| unseen n |"))
        let svg = report.svg(title: "t")
        #expect(svg.hasPrefix("<svg") && svg.contains("test accuracy") && svg.contains("PAL schedule"))
    }
}
