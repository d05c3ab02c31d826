import COpenSSL

/// Cryptographic hashing for the layers above (API key verification). It lives here because this module
/// is the one importer of OpenSSL; nothing about it is HTTP-specific.
public enum Digest {
    /// SHA-256 of `bytes` (32 bytes).
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let ok = bytes.withUnsafeBytes { input in
            out.withUnsafeMutableBufferPointer { output in
                EVP_Digest(input.baseAddress, input.count, output.baseAddress, &length, EVP_sha256(), nil)
            }
        }
        // Only fails when OpenSSL cannot allocate or has no SHA-256 at all: not a runtime condition to handle.
        precondition(ok == 1 && length == 32, "EVP_Digest(SHA-256) failed")
        return out
    }
}
