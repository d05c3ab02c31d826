import Foundation
import Testing
@testable import RewardModel

/// `adapt_prior` in config.json: read, written, validated, defaulted.
struct HeadConfigAdaptPriorTests {
    static func json(_ extra: String) -> Data {
        Data(#"{"format_version":1,"kind":"micro","feature_dim":4,"state_dim":2\#(extra)}"#.utf8)
    }

    @Test func roundTripsAndDefaultsToOne() throws {
        let config = try HeadConfig.decode(Self.json(#","adapt_prior":30"#))
        #expect(config.adaptPrior == 30 && config.defaultAdaptPrior == 30)
        #expect(try HeadConfig.decode(config.encoded()).adaptPrior == 30)
        #expect(String(decoding: config.encoded(), as: UTF8.self).contains("\"adapt_prior\" : 30"))
        let plain = try HeadConfig.decode(Self.json(""))
        #expect(plain.adaptPrior == nil && plain.defaultAdaptPrior == 1)
    }

    @Test(arguments: ["0", "-1", "1e10"])
    func refusesPriorsOutsideTheAdaptBounds(value: String) {
        #expect(throws: RewardModelError.self) { try HeadConfig.decode(Self.json(#","adapt_prior":\#(value)"#)) }
    }
}
