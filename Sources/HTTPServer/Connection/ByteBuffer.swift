#if canImport(Glibc)
import Glibc
#endif

/// A growable byte buffer with a read and a write index, owned by one connection (not Sendable,
/// not copyable: it frees its memory itself). Used for received bytes not yet consumed by the
/// protocol handler and for output not yet accepted by the socket.
struct ByteBuffer: ~Copyable {
    private(set) var base: UnsafeMutableRawPointer
    private(set) var capacity: Int
    private(set) var readIndex = 0
    private(set) var writeIndex = 0
    private let initialCapacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        self.initialCapacity = self.capacity
        base = UnsafeMutableRawPointer.allocate(byteCount: self.capacity, alignment: 16)
    }

    deinit { base.deallocate() }

    var readableBytes: Int { writeIndex - readIndex }
    var isEmpty: Bool { readIndex == writeIndex }

    /// The unconsumed bytes. Valid until the next mutation.
    var readable: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + readIndex, count: writeIndex - readIndex)
    }

    mutating func consume(_ count: Int) {
        precondition(count >= 0 && count <= readableBytes)
        readIndex += count
        if readIndex == writeIndex {
            readIndex = 0
            writeIndex = 0
        }
    }

    /// Makes room for at least `minimum` bytes after the write index (compacting first).
    mutating func reserveWritable(_ minimum: Int) {
        if capacity - writeIndex >= minimum { return }
        if readIndex > 0 {
            let count = readableBytes
            if count > 0 { memmove(base, base + readIndex, count) }
            readIndex = 0
            writeIndex = count
            if capacity - writeIndex >= minimum { return }
        }
        var newCapacity = capacity
        while newCapacity - writeIndex < minimum { newCapacity *= 2 }
        let newBase = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        if writeIndex > 0 { newBase.copyMemory(from: base, byteCount: writeIndex) }
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    /// Lets `body` fill the free space after the write index; it returns how many bytes it wrote.
    mutating func writeWithUnsafeMutableBytes(minimum: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> Int) rethrows -> Int {
        reserveWritable(minimum)
        let written = try body(UnsafeMutableRawBufferPointer(start: base + writeIndex, count: capacity - writeIndex))
        precondition(written >= 0 && written <= capacity - writeIndex)
        writeIndex += written
        return written
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        reserveWritable(bytes.count)
        (base + writeIndex).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        writeIndex += bytes.count
    }

    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    mutating func append(_ byte: UInt8) {
        reserveWritable(1)
        base.storeBytes(of: byte, toByteOffset: writeIndex, as: UInt8.self)
        writeIndex += 1
    }

    mutating func append(_ string: String) {
        var s = string
        s.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    mutating func append(_ string: StaticString) {
        append(UnsafeRawBufferPointer(start: string.utf8Start, count: string.utf8CodeUnitCount))
    }

    /// Appends `value` in decimal.
    mutating func appendDecimal(_ value: Int) {
        precondition(value >= 0)
        reserveWritable(20)
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch, no allocation
        var v = UInt64(value)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { scratch in
            repeat {
                scratch[23 - count] = UInt8(truncatingIfNeeded: 48 &+ v % 10)
                v /= 10
                count += 1
            } while v > 0
            (base + writeIndex).copyMemory(from: scratch.baseAddress! + 24 - count, byteCount: count)
        }
        writeIndex += count
    }

    /// Appends `value` in lower-case hex (chunk sizes).
    mutating func appendHex(_ value: Int) {
        precondition(value >= 0)
        let hex: StaticString = "0123456789abcdef"
        var shift = 60
        while shift > 0 && (value >> shift) & 0xF == 0 { shift -= 4 }
        while shift >= 0 {
            append(hex.utf8Start[(value >> shift) & 0xF])
            shift -= 4
        }
    }

    /// Drops everything; gives back memory a burst made this buffer grow.
    mutating func clear() {
        readIndex = 0
        writeIndex = 0
        if capacity > max(initialCapacity, 1 << 20) {
            base.deallocate()
            capacity = initialCapacity
            base = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        }
    }

    /// Reallocates an empty buffer that grew past `limit` at `limit` bytes (after an upload's large reads).
    mutating func shrinkIfEmpty(above limit: Int) {
        guard isEmpty, capacity > max(limit, initialCapacity) else { return }
        base.deallocate()
        capacity = max(limit, initialCapacity)
        base = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        readIndex = 0
        writeIndex = 0
    }

    /// Shrinks an empty buffer that grew past 1 MiB (after a large response) back to its initial size.
    mutating func shrinkIfIdle() {
        if isEmpty && capacity > max(initialCapacity, 1 << 20) { clear() }
    }
}
