import Testing
@testable import RewardAPI

struct Base64FloatsTests {
    @Test func roundTrips() throws {
        for n in 0 ..< 9 {
            let v = (0 ..< n).map { Float($0) * 0.37 - 1 }
            #expect(try Base64Floats.decode(Base64Floats.encode(v)) == v)
        }
    }

    @Test func knownVector() throws {
        // 1.0f = 00 00 80 3f little-endian; 2.0f = 00 00 00 40
        #expect(try Base64Floats.decode("AACAPwAAAEA=") == [1, 2])
        #expect(try Base64Floats.decode("AACAPwAAAEA") == [1, 2])  // padding optional
    }

    @Test func rejectsBadInput() {
        #expect(throws: Base64Floats.Failure.notFloat32(byteCount: 3)) { try Base64Floats.decode("AAAA") }
        #expect(throws: Base64Floats.Failure.invalidCharacter(offset: 2)) { try Base64Floats.decode("AA*A") }
        #expect(throws: Base64Floats.Failure.badLength) { try Base64Floats.decode("AAAAA") }
        #expect(throws: Base64Floats.Failure.badLength) { try Base64Floats.decode("AA=") }
        #expect(throws: Base64Floats.Failure.nonFinite(index: 0)) { try Base64Floats.decode("AACAfw==") }  // +inf
    }
}
