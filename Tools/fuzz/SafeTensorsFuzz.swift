// libFuzzer entry for the safetensors loader (built by Tools/fuzz-safetensors.sh together with
// Sources/Tensors). Any input must either parse or throw TensorsError; a parsed file must survive
// a write → parse round trip bit for bit.
@_cdecl("LLVMFuzzerTestOneInput")
public func safeTensorsFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    let parsed: SafeTensors
    do {
        parsed = try SafeTensors.parse(input)
    } catch is TensorsError {
        return 0
    } catch {
        fatalError("parse threw a foreign error: \(error)")
    }
    let bytes = parsed.serialized()
    let again: SafeTensors
    do {
        again = try bytes.withUnsafeBytes { try SafeTensors.parse($0) }
    } catch {
        fatalError("re-parsing our own output failed: \(error)")
    }
    precondition(again.metadata == parsed.metadata, "metadata changed in the round trip")
    precondition(Set(again.tensors.keys) == Set(parsed.tensors.keys), "tensor names changed in the round trip")
    for (name, tensor) in parsed.tensors {
        let other = again.tensors[name]!
        precondition(other.shape == tensor.shape, "shape of \(name) changed")
        precondition(other.values.map(\.bitPattern) == tensor.values.map(\.bitPattern), "values of \(name) changed")
    }
    return 0
}
