/// One named array from a safetensors file, converted to Float (row-major, PyTorch layout).
public struct Tensor: Sendable, Equatable {
    public let shape: [Int]
    public let values: [Float]

    public init(shape: [Int], values: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 } && shape.reduce(1, *) == values.count, "tensor shape does not match its values")
        self.shape = shape
        self.values = values
    }

    public init(_ matrix: Matrix) {
        self.init(shape: [matrix.rows, matrix.cols], values: matrix.values)
    }

    public init(vector: [Float]) {
        self.init(shape: [vector.count], values: vector)
    }

    /// The tensor as a matrix when it has two dimensions.
    public var matrix: Matrix? {
        guard shape.count == 2 else { return nil }
        return Matrix(rows: shape[0], cols: shape[1], values: values)
    }
}

/// The element types a safetensors file can declare.
public enum DType: String, Sendable, CaseIterable {
    case f64 = "F64", f32 = "F32", f16 = "F16", bf16 = "BF16"
    case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8", u8 = "U8", bool = "BOOL"
    case u16 = "U16", u32 = "U32", u64 = "U64", f8e4m3 = "F8_E4M3", f8e5m2 = "F8_E5M2"

    public var byteSize: Int {
        switch self {
        case .f64, .i64, .u64: 8
        case .f32, .i32, .u32: 4
        case .f16, .bf16, .i16, .u16: 2
        case .i8, .u8, .bool, .f8e4m3, .f8e5m2: 1
        }
    }

    /// Floating types are converted to Float on load; integer tensors (step counters, position
    /// ids) are skipped, as heads never need them.
    public var isLoaded: Bool {
        switch self {
        case .f64, .f32, .f16, .bf16: true
        default: false
        }
    }
}
