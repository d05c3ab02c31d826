import CBase64
import Foundation
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

    /// Groups decode four characters at a time with one 4-byte store: every length, every position of
    /// a bad character, and a non-finite value anywhere must come out exactly as byte by byte.
    @Test func everyLengthAndPosition() throws {
        for n in 0 ..< 24 {
            let v = (0 ..< n).map { Float(bitPattern: UInt32(truncatingIfNeeded: $0 &* 0x9E37_79B9) & 0xBF7F_FFFF) }
            let text = Base64Floats.encode(v)
            #expect(try Base64Floats.decode(text) == v)
            for p in stride(from: 0, to: text.utf8.count, by: 3) where text.utf8[text.utf8.index(text.utf8.startIndex, offsetBy: p)] != UInt8(ascii: "=") {
                var bytes = Array(text.utf8)
                bytes[p] = UInt8(ascii: "*")
                #expect(throws: Base64Floats.Failure.invalidCharacter(offset: p)) { try Base64Floats.decode(String(decoding: bytes, as: UTF8.self)) }
            }
            if n > 0 {
                var bad = v
                bad[n - 1] = .infinity
                #expect(throws: Base64Floats.Failure.nonFinite(index: n - 1)) { try Base64Floats.decode(Base64Floats.encode(bad)) }
            }
        }
    }

    /// The two-character tables index with any byte pair: every byte outside the alphabet (control,
    /// non-ASCII, '=', URL-safe '-' and '_') at every position of a long string is reported where it is.
    @Test func everyBadByteInALongString() {
        let v = (0 ..< 100).map { Float($0) * 0.731 - 20 }
        let text = Array(Base64Floats.encode(v).utf8)
        #expect(text.withUnsafeBufferPointer { Base64Floats.decode($0) } == .success(v))
        for bad: UInt8 in [0x00, 0x0A, 0x22, 0x2D, 0x3D, 0x5C, 0x5F, 0x7F, 0x80, 0xC3, 0xFF] {
            for p in 0 ..< text.count - 4 {
                var bytes = text
                bytes[p] = bad
                let result = bytes.withUnsafeBufferPointer { Base64Floats.decode($0) }
                #expect(result == .failure(.invalidCharacter(offset: p)), "byte \(bad) at \(p)")
            }
        }
    }

    /// The AVX2 blocks (32 characters) and the Swift loops meet at every offset: random floats of every
    /// length up to 300 (1,600 characters) decode to themselves.
    @Test func randomVectorsOfEveryLength() throws {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        for n in 0 ... 300 {
            let v = (0 ..< n).map { _ -> Float in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Float(bitPattern: UInt32(truncatingIfNeeded: state >> 33) & 0xBF7F_FFFF)  // finite
            }
            #expect(try Base64Floats.decode(Base64Floats.encode(v)) == v, "\(n) floats")
        }
    }

    /// Every byte outside the alphabet, at the first, a middle and the last position of a block and
    /// across a block boundary, is reported where it is, whichever decoder met it.
    @Test func everyNonAlphabetByteAtBlockEdges() {
        let text = Array(Base64Floats.encode((0 ..< 64).map { Float($0) - 31.5 }).utf8)  // 344 characters
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        for bad in UInt8.min ... UInt8.max where !alphabet.contains(bad) {
            for p in [0, 1, 17, 31, 32, 33, 63, 64, 200, 255, 256, 319, 320, 340] {
                var bytes = text
                bytes[p] = bad
                let result = bytes.withUnsafeBufferPointer { Base64Floats.decode($0) }
                #expect(result == .failure(.invalidCharacter(offset: p)), "byte \(bad) at \(p)")
            }
        }
    }

    /// The block decoder on its own: whole valid blocks only, stopping before a block with a bad
    /// character or one whose 32-byte store would not fit; its bytes are the scalar decoder's.
    @Test func blockDecoderStopsAtBadBlocksAndTheCapacity() throws {
        let v = (0 ..< 48).map { Float($0) * 1.25 - 7 }  // 192 bytes, 256 characters, 8 blocks
        let text = Array(Base64Floats.encode(v).utf8)
        let expected = v.withUnsafeBytes { Array($0) }
        func blocks(_ chars: [UInt8], capacity: Int) -> (decoded: Int, bytes: [UInt8]) {
            var out = [UInt8](repeating: 0, count: max(capacity, 1))
            let decoded = chars.withUnsafeBufferPointer { s in
                out.withUnsafeMutableBufferPointer { CBase64_decodeBlocks(s.baseAddress!, s.count, $0.baseAddress!, capacity) }
            }
            return (decoded, Array(out.prefix(decoded / 4 * 3)))
        }
        let whole = blocks(text, capacity: 192 + 8)
        // Without AVX2 the Swift loops do everything; with it (as /proc/cpuinfo says), the blocks must run.
        let cpuHasAVX2 = ((try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? "").contains(" avx2")
        #expect(whole.decoded == 0 || cpuHasAVX2)
        guard cpuHasAVX2 else { return }
        #expect(whole.decoded == 256)
        #expect(whole.bytes == expected)
        #expect(blocks(text, capacity: 192).decoded == 224, "the last block's 32-byte store needs 8 spare bytes")
        var bad = text
        bad[70] = UInt8(ascii: "-")  // in the third block
        #expect(blocks(bad, capacity: 200).decoded == 64)
        #expect(blocks(bad, capacity: 200).bytes == Array(expected.prefix(48)))
    }
}
