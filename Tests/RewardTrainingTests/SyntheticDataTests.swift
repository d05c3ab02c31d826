import Foundation
import Testing
@testable import RewardTraining

@Suite struct SyntheticDataTests {
    static func options(_ kind: SyntheticOptions.Kind, seed: UInt64 = 5) -> SyntheticOptions {
        var o = SyntheticOptions()
        o.kind = kind
        o.users = 4; o.unseenUsers = 2; o.dim = 6; o.prototypes = 2
        o.trainPairs = 10; o.unseenTrainPairs = 8; o.testPairs = 5; o.seed = seed
        return o
    }

    @Test(arguments: SyntheticOptions.Kind.allCases)
    func sameSeedSameBytes(kind: SyntheticOptions.Kind) throws {
        let a = try SyntheticData.generate(Self.options(kind)).ndjson()
        let b = try SyntheticData.generate(Self.options(kind)).ndjson()
        let c = try SyntheticData.generate(Self.options(kind, seed: 6)).ndjson()
        #expect(a == b)
        #expect(a != c)
    }

    @Test(arguments: SyntheticOptions.Kind.allCases)
    func roundTripsThroughNDJSON(kind: SyntheticOptions.Kind) throws {
        let data = try SyntheticData.generate(Self.options(kind))
        let parsed = try PreferenceDataset.parse(data.ndjson())
        // Items, users and pairs are exact; the truth's Float64 text may differ in the last ulp (Foundation's parser).
        #expect(parsed.itemValues == data.itemValues && parsed.users.map(\.id) == data.users.map(\.id))
        #expect(parsed.pairs.count == data.pairs.count)
        for (p, q) in zip(parsed.pairs, data.pairs) {
            #expect(p.user == q.user && p.split == q.split && p.chosen == q.chosen && p.rejected == q.rejected && p.flipped == q.flipped)
            #expect(abs((p.margin ?? .nan) - (q.margin ?? .nan)) < 1e-12)
        }
        #expect(parsed.source == data.source && parsed.featureDim == data.featureDim)
        #expect(parsed.users.count == 6 && parsed.users.filter(\.seen).count == 4)
        #expect(parsed.pairs.count == 4 * 15 + 2 * 13)
        let a = parsed.truth.map { $0.prototypes.flatMap { $0 } } ?? [], b = data.truth.map { $0.prototypes.flatMap { $0 } } ?? []
        #expect(a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) < 1e-12 })
    }

    @Test func noiseFlipsOnlyTrainingLabelsOfTheCleanTwin() throws {
        var o = Self.options(.idealPoint)
        o.trainPairs = 400
        let clean = try SyntheticData.generate(o)
        o.noise = 0.2
        let noisy = try SyntheticData.generate(o)
        #expect(clean.pairs.count == noisy.pairs.count)
        var flips = 0, train = 0
        for (c, n) in zip(clean.pairs, noisy.pairs) {
            if n.flipped {
                #expect(n.split == .train)
                #expect(c.chosen == n.rejected && c.rejected == n.chosen)
                flips += 1
            } else {
                #expect(c == n)
            }
            if n.split == .train { train += 1 }
        }
        let rate = Double(flips) / Double(train)
        #expect(rate > 0.15 && rate < 0.25)
    }

    @Test func cyclicLabelsFollowEachUsersOrientation() throws {
        let data = try SyntheticData.generate(Self.options(.cyclic))
        // No label noise: the oracle is exact.
        #expect(data.pairs.allSatisfy { ($0.margin ?? 0) > 0 })
        // Items lie on unit circles.
        for r in 0..<data.items.rows {
            let n = data.item(r).reduce(0) { $0 + Double($1) * Double($1) }
            #expect(abs(n - 1) < 1e-4)
        }
    }

    @Test func readerAcceptsInlineFeaturesAndRejectsBadLines() throws {
        let b64 = FloatCoding.base64([1, 2])
        let text = """
        {"format":"reward-preferences","version":1,"feature_dim":2}
        {"user":"a","split":"train","chosen":"\(b64)","rejected":[3,4]}
        {"item":7,"features":[0.5,0.25]}
        {"user":"a","split":"test","chosen":7,"rejected":"\(b64)"}
        """
        let data = try PreferenceDataset.parse(Data(text.utf8))
        #expect(data.pairs.count == 2 && data.users == [.init(id: "a", seen: true)])
        #expect(data.item(data.pairs[0].rejected) == [3, 4])
        #expect(data.item(data.pairs[1].chosen) == [0.5, 0.25])
        for bad in ["{\"user\":\"a\",\"chosen\":9,\"rejected\":7}", "{\"user\":\"a\",\"chosen\":[1],\"rejected\":7}", "not json",
                    "{\"user\":\"a\",\"split\":\"dev\",\"chosen\":7,\"rejected\":7}"] {
            let broken = text + "\n" + bad
            #expect(throws: TrainingError.self) { try PreferenceDataset.parse(Data(broken.utf8)) }
        }
        #expect(throws: TrainingError.self) { try PreferenceDataset.parse(Data("{\"user\":\"a\"}".utf8)) }
    }
}
