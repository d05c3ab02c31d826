/// Finiteness checks over whole float buffers. Every scored row is checked (a NaN must become a
/// 422 for its request, not a NaN score), so this runs per item on the hot path: 16 lanes at a
/// time without an early exit, which the compiler turns into a few vector instructions per step.
public enum Finite {
    /// True when no value is NaN or ±inf.
    public static func all(_ values: UnsafeBufferPointer<Float>) -> Bool {
        // x·0 is 0 for a finite x and NaN for NaN or ±inf; a NaN survives every later addition.
        var accumulator = SIMD16<Float>()
        var i = 0
        let count = values.count
        if let base = values.baseAddress {
            let raw = UnsafeRawPointer(base)
            while i + 16 <= count {
                accumulator += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) * 0
                i += 16
            }
        }
        var tail: Float = 0
        while i < count {
            tail += values[i] * 0
            i += 1
        }
        return (accumulator.sum() + tail).isFinite
    }

    public static func all(_ values: ArraySlice<Float>) -> Bool {
        values.withUnsafeBufferPointer { all($0) }
    }

    public static func all(_ values: [Float]) -> Bool {
        values.withUnsafeBufferPointer { all($0) }
    }
}
