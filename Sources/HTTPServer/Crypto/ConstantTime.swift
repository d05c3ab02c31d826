/// Comparisons of secrets (key hashes, signatures) for the layers above.
public enum ConstantTime {
    /// Equality whose running time depends only on the lengths, not on where the inputs differ.
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}
