import Foundation
import Testing
@testable import Tensors

struct SafeTensorsTests {
    /// A file with a hand-written header and raw data section.
    static func file(header: String, data: [UInt8], declaredLength: UInt64? = nil) -> [UInt8] {
        let h = Array(header.utf8)
        var out = [UInt8]()
        withUnsafeBytes(of: (declaredLength ?? UInt64(h.count)).littleEndian) { out.append(contentsOf: $0) }
        return out + h + data
    }

    static func parse(_ bytes: [UInt8]) throws -> SafeTensors {
        try bytes.withUnsafeBytes { try SafeTensors.parse($0) }
    }

    static func expectCode(_ code: TensorsError.Code, _ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try parse(bytes)
            Issue.record("expected \(code), parsed fine", sourceLocation: sourceLocation)
        } catch let error as TensorsError {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func roundTripThroughDisk() throws {
        var st = SafeTensors(metadata: ["format": "pt", "note": "quote \" and \\ ünïcode"])
        st.tensors["a.weight"] = Tensor(shape: [2, 3], values: [1, -2, 3.5, 0, .leastNonzeroMagnitude, -.greatestFiniteMagnitude])
        st.tensors["scalar"] = Tensor(shape: [], values: [7])
        st.tensors["empty"] = Tensor(shape: [0, 4], values: [])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rt-\(UUID()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try st.write(path: path)
        let back = try SafeTensors.load(path: path)
        #expect(back.tensors == st.tensors)
        #expect(back.metadata == st.metadata)
        #expect(try back.matrix("a.weight", rows: 2, cols: 3)[1, 2] == -.greatestFiniteMagnitude)
        #expect(throws: TensorsError.self) { try back.matrix("a.weight", rows: 3, cols: 2) }
        #expect(throws: TensorsError.self) { try back.vector("missing", count: 1) }
        let headerLength = st.serialized().prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        #expect(headerLength % 8 == 0)
    }

    @Test func halfPrecisionAndBFloat16AreConverted() throws {
        // F16: 1.0 = 0x3C00, -2.5 = 0xC100, 65504 = 0x7BFF, smallest subnormal 0x0001 = 2^-24
        // BF16: 1.0 = 0x3F80, -0.5 = 0xBF00
        let f16: [UInt16] = [0x3C00, 0xC100, 0x7BFF, 0x0001]
        let bf16: [UInt16] = [0x3F80, 0xBF00]
        var data = [UInt8]()
        for v in f16 + bf16 { data += [UInt8(v & 0xFF), UInt8(v >> 8)] }
        data += [1, 0, 0, 0, 0, 0, 0, 0]   // an I64 tensor, skipped
        let header = #"{"h":{"dtype":"F16","shape":[4],"data_offsets":[0,8]},"b":{"dtype":"BF16","shape":[1,2],"data_offsets":[8,12]},"step":{"dtype":"I64","shape":[1],"data_offsets":[12,20]}}"#
        let st = try Self.parse(Self.file(header: header, data: data))
        #expect(st.tensors["h"]?.values == [1, -2.5, 65504, 0x1p-24])
        #expect(st.tensors["b"]?.values == [1, -0.5])
        #expect(st.tensors["b"]?.shape == [1, 2])
        #expect(st.skipped == ["step"])
    }

    @Test func malformedFilesAreClearErrors() {
        let good = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        let data = [UInt8](repeating: 0, count: 8)
        #expect((try? Self.parse(Self.file(header: good, data: data))) != nil)
        Self.expectCode(.truncated, [1, 2, 3])
        Self.expectCode(.headerTooLarge, Self.file(header: good, data: data, declaredLength: 1 << 40))
        Self.expectCode(.headerTooLarge, Self.file(header: good, data: [], declaredLength: UInt64(good.utf8.count + 1)))
        Self.expectCode(.badOffsets, Self.file(header: good, data: [0, 0, 0, 0]))   // data section truncated
        Self.expectCode(.badHeader, Self.file(header: "{\"a\":", data: data))
        Self.expectCode(.badHeader, Self.file(header: "[1,2]", data: data))
        Self.expectCode(.badHeader, Self.file(header: String(repeating: "[", count: 100), data: data))
        Self.expectCode(.unknownDType, Self.file(header: #"{"a":{"dtype":"F7","shape":[2],"data_offsets":[0,8]}}"#, data: data))
        Self.expectCode(.badOffsets, Self.file(header: #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: data))
        Self.expectCode(.badOffsets, Self.file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#, data: data))
        Self.expectCode(.badOffsets, Self.file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}}"#, data: data))
        Self.expectCode(.badShape, Self.file(header: #"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,8]}}"#, data: data))
        Self.expectCode(.badShape, Self.file(header: #"{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}"#, data: data))
        Self.expectCode(.badHeader, Self.file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: data))
        Self.expectCode(.badHeader, Self.file(header: #"{"__metadata__":{"k":1}}"#, data: []))
        Self.expectCode(.badHeader, Self.file(header: "{\"a\u{01}\":{}}", data: []))
    }

    @Test func loadingAMissingFileThrows() {
        #expect(throws: TensorsError.self) { try SafeTensors.load(path: "/nonexistent/model.safetensors") }
    }
}
