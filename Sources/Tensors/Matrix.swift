/// A dense row-major matrix of Float. Small and value-typed: rows are contiguous, so a batch of
/// feature vectors is one `Matrix` and one sgemm.
public struct Matrix: Sendable, Equatable {
    public let rows: Int
    public let cols: Int
    public var values: [Float]

    public init(rows: Int, cols: Int, repeating value: Float = 0) {
        precondition(rows >= 0 && cols >= 0, "negative matrix dimension")
        self.rows = rows
        self.cols = cols
        self.values = [Float](repeating: value, count: rows * cols)
    }

    public init(rows: Int, cols: Int, values: [Float]) {
        precondition(rows >= 0 && cols >= 0 && values.count == rows * cols, "matrix storage does not match its shape")
        self.rows = rows
        self.cols = cols
        self.values = values
    }

    /// Builds a matrix from equal-length rows; nil when the rows are ragged.
    public init?(rowArrays: [[Float]], cols: Int) {
        guard rowArrays.allSatisfy({ $0.count == cols }) else { return nil }
        self.init(rows: rowArrays.count, cols: cols, values: rowArrays.flatMap { $0 })
    }

    /// A 1×n matrix holding one vector.
    public init(row: [Float]) {
        self.init(rows: 1, cols: row.count, values: row)
    }

    @inlinable
    public subscript(row: Int, col: Int) -> Float {
        get { values[row * cols + col] }
        set { values[row * cols + col] = newValue }
    }

    @inlinable
    public func row(_ index: Int) -> ArraySlice<Float> {
        values[index * cols ..< (index + 1) * cols]
    }

    /// The rows at `indices`, in that order.
    public func gathering(rows indices: [Int]) -> Matrix {
        var out = [Float]()
        out.reserveCapacity(indices.count * cols)
        for index in indices { out.append(contentsOf: row(index)) }
        return Matrix(rows: indices.count, cols: cols, values: out)
    }

    /// Rows `range` as a new matrix.
    public func slicing(rows range: Range<Int>) -> Matrix {
        Matrix(rows: range.count, cols: cols, values: Array(values[range.lowerBound * cols ..< range.upperBound * cols]))
    }

    /// This matrix with `other`'s rows appended below.
    public func stacking(_ other: Matrix) -> Matrix {
        precondition(other.cols == cols || other.rows == 0 || rows == 0, "stacking matrices of different widths")
        let width = rows == 0 ? other.cols : cols
        return Matrix(rows: rows + other.rows, cols: width, values: values + other.values)
    }

    /// In 16×16 tiles: a row-by-row copy writes with a stride of `rows` floats, and with a
    /// power-of-two stride every write of a column lands in the same cache set.
    public var transposed: Matrix {
        var out = Matrix(rows: cols, cols: rows)
        let rows = self.rows, cols = self.cols, tile = 16
        values.withUnsafeBufferPointer { source in
            out.values.withUnsafeMutableBufferPointer { target in
                for r0 in stride(from: 0, to: rows, by: tile) {
                    for c0 in stride(from: 0, to: cols, by: tile) {
                        for r in r0..<min(r0 + tile, rows) {
                            for c in c0..<min(c0 + tile, cols) { target[c * rows + r] = source[r * cols + c] }
                        }
                    }
                }
            }
        }
        return out
    }

    /// True when every entry is finite (no NaN, no ±inf).
    public var isFinite: Bool {
        Finite.all(values)
    }
}
