import Glibc

/// The contents of a safetensors file: tensors by name plus the free-form string metadata.
public struct SafeTensors: Sendable {
    public var tensors: [String: Tensor]
    public var metadata: [String: String]
    /// Names of tensors present in the file but not loaded (integer dtypes).
    public var skipped: [String]

    /// The header length field is a u64; anything above this is refused before allocating.
    public static let maxHeaderBytes = 100 * 1024 * 1024

    public init(tensors: [String: Tensor] = [:], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
        self.skipped = []
    }

    /// Loads a file through mmap (the pages are read once while converting to Float).
    public static func load(path: String) throws -> SafeTensors {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw TensorsError(.io, "cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw TensorsError(.io, "cannot stat \(path)") }
        let size = Int(info.st_size)
        guard size > 0 else { throw TensorsError(.truncated, "\(path) is empty") }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw TensorsError(.io, "cannot map \(path): \(String(cString: strerror(errno)))")
        }
        defer { munmap(base, size) }
        return try parse(UnsafeRawBufferPointer(start: base, count: size))
    }

    /// Tensor `name`, checked against an expected shape.
    public func tensor(_ name: String, shape: [Int]) throws -> Tensor {
        guard let t = tensors[name] else { throw TensorsError(.missingTensor, "tensor '\(name)' is missing") }
        guard t.shape == shape || (t.shape.reduce(1, *) == shape.reduce(1, *) && t.shape.count <= 1 && shape.count <= 1) else {
            throw TensorsError(.badShape, "tensor '\(name)' has shape \(t.shape), expected \(shape)")
        }
        return t
    }

    /// Matrix `name` with exactly `rows` × `cols`.
    public func matrix(_ name: String, rows: Int, cols: Int) throws -> Matrix {
        let t = try tensor(name, shape: [rows, cols])
        return Matrix(rows: rows, cols: cols, values: t.values)
    }

    /// Vector `name` of `count` elements (a scalar `[]` counts as one element).
    public func vector(_ name: String, count: Int) throws -> [Float] {
        try tensor(name, shape: [count]).values
    }
}
